import ArgumentParser
import MockProvider

/// `shepherd mock`: run the fault-injecting mock provider.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Run a fault-injecting mock LLM provider (OpenAI and Anthropic wire formats).",
        discussion: """
            Serves POST /v1/chat/completions, POST /v1/messages, POST /v1/embeddings, GET /v1/models \
            and GET /mock/stats, misbehaving as the scenario says: latency, error rates by status, 429 \
            with Retry-After, outage windows, connection resets, slow first tokens, stalled and cut \
            streams, malformed JSON. The same seed and the same requests give the same faults. \
            Stops cleanly on SIGINT or SIGTERM.

            Example: shepherd mock --port 9101 --flavor anthropic --scenario scenarios/faults/bad-day.yaml --seed 42
            """
    )

    enum Flavor: String, ExpressibleByArgument, CaseIterable {
        case openai, anthropic
    }

    @Option(name: .long, help: "The port to listen on (0 picks a free one).")
    var port: Int = 9101

    @Option(name: .long, help: "The address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Which provider GET /v1/models impersonates: openai or anthropic.")
    var flavor: Flavor = .openai

    @Option(name: .long, help: "A fault scenario (scenarios/faults/*.yaml); healthy when omitted.")
    var scenario: String?

    @Option(name: .long, help: "Random seed: the same seed gives the same faults.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Require this API key (Bearer or x-api-key); any key is accepted when omitted.")
    var apiKey: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard MockProviderServer<ContinuousClock>.Configuration.logLevels.contains(logLevel) else {
            throw ValidationError("unknown --log-level \(logLevel)")
        }
    }

    func run() async throws {
        let faults: FaultScenario
        if let scenario {
            do {
                faults = try FaultScenario.load(contentsOf: scenario)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        } else {
            faults = .healthy
        }
        let server = MockProviderServer(
            scenario: faults,
            configuration: .init(
                host: host, port: port, flavor: flavor == .anthropic ? .anthropic : .openai, seed: seed,
                apiKey: apiKey, logLevel: logLevel))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.runService() }
            group.addTask {
                let bound = try await server.port()
                print(
                    "mock provider (\(flavor.rawValue)) on http://\(host):\(bound)/v1, scenario \(faults.name) "
                        + "(\(faults.phases.count) phase\(faults.phases.count == 1 ? "" : "s")), seed \(seed)")
            }
            try await group.waitForAll()
        }
    }
}
