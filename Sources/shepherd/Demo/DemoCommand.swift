import ArgumentParser
import Canary
import Foundation
import Logging
import Metrics
import MockProvider
import Prometheus
import ServiceLifecycle
import Shepherd
import ShepherdServer
import Upstream

/// `shepherd demo`: the whole system on loopback with no keys and no network.
///
/// Two mock providers (legacy speaks Anthropic, relay speaks OpenAI), the proxy with the default
/// policy on a temporary store, synthetic clients with routing keys, and a live view, with the
/// policy's time compressed `--speed` times so that the full ramp takes about a minute. It ends
/// on its own with a summary and removes everything it started.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole system on loopback: mock providers, the proxy, client load and a live view.",
        discussion: """
            Needs no keys and no network. The default policy runs with its time compressed \
            (--speed 20: a 2-minute hold takes 6 s), so a full ramp to 100% takes about a minute.

            Scenarios: healthy (the canary climbs to 100%), relay-outage (the relay fails at 25%: \
            failover hides it, then an automatic rollback), brownout (the relay degrades at 25%: \
            the scorer rolls it back).

            Example: swift run shepherd demo --scenario relay-outage
            """
    )

    @Option(help: "healthy, relay-outage or brownout.")
    var scenario: DemoScenario = .healthy

    @Option(help: "How many times faster than the policy's real time (1…200).")
    var speed: Double = 20

    @Option(help: "Concurrent synthetic clients.")
    var clients: Int = 48

    @Flag(
        help: "One status line per interval instead of the full-screen view (automatic when stdout is not a terminal).")
    var plain = false

    // At 5% the relay sees about 120 calls per window, so one stray 5xx keeps the confidence bound
    // inconclusive until it leaves the window: a fresh-clone CI run spent 70 s on the first step and
    // missed 170 s by one step. The limit only says when to give up on a run that went wrong.
    @Option(help: "Give up after this many seconds.")
    var timeLimit: Double = 300

    @Option(help: "Seed of the mocks and of the synthetic clients.")
    var seed: UInt64 = 42

    func validate() throws {
        guard speed.isFinite, (1...200).contains(speed) else {
            throw ValidationError("--speed must be between 1 and 200 (got \(speed))")
        }
        guard (1...512).contains(clients) else {
            throw ValidationError("--clients must be between 1 and 512 (got \(clients))")
        }
        guard timeLimit.isFinite, timeLimit > 0 else { throw ValidationError("--time-limit must be positive") }
    }

    func run() async throws {
        let plain = plain || isatty(STDOUT_FILENO) == 0
        LoggingSystem.bootstrap { label in
            // The live view owns the terminal: only warnings and worse, and only in plain mode.
            guard plain else { return QuietLogHandler() }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let run = try DemoRun(
            scenario: scenario, speed: speed, clients: clients, seed: seed, timeLimit: timeLimit, plain: plain)
        let outcome = try await run.run(registry: registry)
        say(outcome.summary)
        if !outcome.metExpectation { throw ExitCode(1) }
    }
}

extension DemoScenario: ExpressibleByArgument {}

extension RolloutPolicy {
    /// The default policy (`policies/default.yaml`) with its clock running `speed` times faster:
    /// every duration divided by `speed`, every sample count kept.
    static func demo(speed: Double) -> RolloutPolicy {
        var policy = RolloutPolicy(rolloutID: "demo")
        func scaled(_ duration: Duration) -> Duration {
            .milliseconds(Int64((inSeconds(duration) * 1000 / speed).rounded()))
        }
        policy.ramp.evaluationInterval = scaled(policy.ramp.evaluationInterval)
        policy.ramp.minHoldTime = scaled(policy.ramp.minHoldTime)
        policy.window.bucketWidth = scaled(policy.window.bucketWidth)
        return policy
    }
}

/// Writes a line to standard output at once (unbuffered, so it stays in order with the
/// dashboard, which writes to the terminal directly).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
