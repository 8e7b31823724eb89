import Canary
import Foundation
import Logging
import MockProvider
import Prometheus
import ServiceLifecycle
import Shepherd
import ShepherdServer
import Synchronization
import UnixSignals
import Upstream

/// One run of the demo: starts everything, drives the scenario, stops everything, sums up.
struct DemoRun {
    let scenario: DemoScenario
    let speed: Double
    let clients: Int
    let seed: UInt64
    let timeLimit: Double
    let plain: Bool

    /// How long the demo keeps running after the rollout reached its end state, so the view shows it.
    static let linger: Duration = .seconds(4)

    init(scenario: DemoScenario, speed: Double, clients: Int, seed: UInt64, timeLimit: Double, plain: Bool) throws {
        self.scenario = scenario
        self.speed = speed
        self.clients = clients
        self.seed = seed
        self.timeLimit = timeLimit
        self.plain = plain
    }

    func run(registry: PrometheusCollectorRegistry) async throws -> DemoOutcome {
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "shepherd.demo")
        let clock = ContinuousClock()
        let policy = RolloutPolicy.demo(speed: speed)

        // The providers: legacy in Anthropic's wire format, the relay in OpenAI's.
        var relayNormal = DemoScenario.normal
        relayNormal.phases[0].errorRates = [503: 0.002]  // a little noise on the relay: the scorer must see past it
        let legacyMock = MockProviderServer(
            scenario: DemoScenario.normal, configuration: .init(flavor: .anthropic, seed: seed, logger: logger),
            clock: clock)
        let relayMock = MockProviderServer(
            scenario: relayNormal, configuration: .init(flavor: .openai, seed: seed &+ 1, logger: logger), clock: clock)
        let mocks = ServiceGroup(
            configuration: .init(
                services: [.init(service: legacyMock.application()), .init(service: relayMock.application())],
                logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mocks.run() }
            defer { group.cancelAll() }
            let prices = PriceTable(defaultsOverriddenBy: policy.prices)
            let connection = UpstreamConnection(maxConnectionsPerHost: 64)
            let legacy = AnthropicProvider(
                configuration: .init(
                    name: "legacy", baseURL: "http://127.0.0.1:\(try await legacyMock.port())", connection: connection,
                    prices: prices))
            let relay = OpenAICompatibleProvider(
                configuration: .init(
                    name: "relay", baseURL: try await relayMock.baseURL(), connection: connection, prices: prices))
            let store = try SQLiteRolloutStore(path: directory + "/state.sqlite", configuration: .init(exclusive: true))
            let router = try await MigrationRouter(
                legacy: legacy, relay: relay, configuration: .init(policy: policy), store: store,
                rollbackSwitch: RollbackSwitch(environment: [:]), clock: clock, logger: Logger(label: "shepherd.router")
            )
            let token = Self.randomToken()
            let port = PortBox()
            let app = try buildShepherdApplication(
                router: router, store: store,
                configuration: ServerConfiguration(
                    host: "127.0.0.1", port: 0, adminToken: Secret(token), shutdownGracePeriod: .seconds(5)),
                registry: registry, logger: logger, onServerRunning: { port.set($0) })
            let server = ServiceGroup(
                configuration: .init(
                    services: [.init(service: router.controller), .init(service: app)], logger: logger))
            group.addTask {
                // Whatever ends the server before it listens (a bind failure) must end the wait for its port.
                do {
                    try await server.run()
                    port.fail(DemoError("the proxy stopped before it listened"))
                } catch {
                    port.fail(DemoError("the proxy could not start: \(error)"))
                    throw error
                }
            }

            let proxy = "http://127.0.0.1:\(try await port.value())"
            let view = DemoView(plain: plain, proxy: proxy, token: token, scenario: scenario, speed: speed)
            view.start()
            let load = DemoLoad(proxy: proxy, prices: prices)
            let loadTask = Task { await load.run(workers: clients, seed: seed) }
            let drive = try await drive(router: router, relayMock: relayMock, load: load, view: view, clock: clock)

            loadTask.cancel()
            await loadTask.value
            await view.stop()
            let status = router.status()
            let events = (try? await router.controller.events(limit: 1000)) ?? []
            let tally = load.snapshot
            await load.shutdown()
            await server.triggerGracefulShutdown()
            await mocks.triggerGracefulShutdown()
            try? await group.waitForAll()
            try? await store.close()
            try? await legacy.shutdown()
            try? await relay.shutdown()
            return DemoOutcome(
                scenario: scenario, speed: speed, clients: clients, elapsed: drive.elapsed, tally: tally,
                status: status,
                events: events, startedAt: drive.startedAt, troubleAt: drive.troubleAt, stop: drive.stop)
        }
    }

    struct Drive {
        var startedAt: WallClock.Instant
        var elapsed: Duration
        var troubleAt: Double?
        var stop: DemoOutcome.Stop
    }

    /// Watches the rollout, breaks the relay when the scenario says so, and decides when to stop.
    private func drive(
        router: MigrationRouter<ContinuousClock>, relayMock: MockProviderServer<ContinuousClock>, load: DemoLoad,
        view: DemoView, clock: ContinuousClock
    ) async throws -> Drive {
        let start = clock.now
        let startedAt = WallClock().now
        let limit = Duration.milliseconds(Int64(timeLimit * 1000))
        var troubleAt: Double?
        var endAt: ContinuousClock.Instant?
        let interrupted = Interruption()
        let signals = Task { await interrupted.watch() }
        defer { signals.cancel() }
        while true {
            let state = router.controller.state
            if troubleAt == nil, let threshold = scenario.troubleAtPercent, let trouble = scenario.trouble,
                state.phase == .ramping, state.percent >= threshold
            {
                relayMock.setScenario(trouble)
                troubleAt = state.percent
                view.note("the relay's trouble starts now (\(trouble.name)) at \(formatPercent(state.percent))")
            }
            if endAt == nil, state.phase == .promoted || state.phase == .rolledBack {
                endAt = clock.now.advanced(by: Self.linger)
            }
            let now = clock.now
            if let endAt, now >= endAt {
                return Drive(
                    startedAt: startedAt, elapsed: start.duration(to: now), troubleAt: troubleAt, stop: .finished)
            }
            if start.duration(to: now) >= limit {
                return Drive(
                    startedAt: startedAt, elapsed: start.duration(to: now), troubleAt: troubleAt, stop: .timeLimit)
            }
            if interrupted.happened || view.quitRequested {
                return Drive(
                    startedAt: startedAt, elapsed: start.duration(to: now), troubleAt: troubleAt, stop: .interrupted)
            }
            try? await clock.sleep(for: .milliseconds(100))
        }
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/shepherd-demo.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw DemoError("cannot create a temporary directory: errno \(errno)")
        }
        return String(cString: made)
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The proxy's port, once it listens, or why it never will.
final class PortBox: Sendable {
    private let state = Mutex<(result: Result<Int, DemoError>?, waiters: [CheckedContinuation<Int, any Error>])>(
        (nil, []))

    func set(_ port: Int) { settle(.success(port)) }

    /// Ends every wait with `error`, unless the port was already set.
    func fail(_ error: DemoError) { settle(.failure(error)) }

    private func settle(_ result: Result<Int, DemoError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<Int, DemoError>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result.mapError { $0 as any Error }) }
        }
    }
}

/// SIGINT or SIGTERM during the demo: stop early, clean up, and still print the summary.
final class Interruption: Sendable {
    private let flag = Mutex(false)
    var happened: Bool { flag.withLock { $0 } }

    func watch() async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals {
            flag.withLock { $0 = true }
            return
        }
    }
}
