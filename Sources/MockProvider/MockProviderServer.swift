import Canary
public import Hummingbird
public import Logging
import NIOCore
import Synchronization
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A fault-injecting LLM upstream: a real HTTP server speaking OpenAI chat completions and
/// Anthropic's Messages API, having the bad day its ``FaultScenario`` describes.
///
/// Routes: `POST /v1/chat/completions`, `POST /v1/messages`, `POST /v1/embeddings`,
/// `GET /v1/models` (OpenAI or Anthropic shape, by ``MockFlavor``), `GET /mock/stats` and
/// `PUT /mock/scenario` (a new ``FaultScenario`` in YAML or JSON, taking effect at once).
/// Every answer carries usage figures so cost can be checked. Randomness comes
/// from a `SeededGenerator`, time from the injected clock: with a `ManualClock`
/// a test moves through latency, slow first tokens, stalls and outage windows
/// without waiting.
///
/// Start it in-process on port 0 and read the bound port:
///
/// ```swift
/// let mock = MockProviderServer(scenario: .healthy, configuration: .init(seed: 42))
/// try await mock.withRunning { port in
///     let relay = OpenAICompatibleProvider(configuration: .init(baseURL: "http://127.0.0.1:\(port)/v1"))
///     _ = try await relay.complete(request)
///     var outage = FaultScenario.Phase()
///     outage.outage = true
///     mock.setScenario(FaultScenario(name: "outage", outage))  // reconfigure live
///     try await relay.shutdown()
/// }
/// ```
///
/// Or run it until cancelled (``run()``), or until SIGINT/SIGTERM (``runService()``), as
/// `shepherd mock` does. Its `run()` has the shape of a swift-service-lifecycle `Service`.
public final class MockProviderServer<C: Clock>: Sendable where C.Duration == Duration {
    /// Where and how the mock listens.
    public struct Configuration: Sendable {
        /// The address to bind. Default `127.0.0.1`.
        public var host: String
        /// The port; 0 picks a free one (read it with ``MockProviderServer/port()``).
        public var port: Int
        /// Which provider `GET /v1/models` impersonates. Default ``MockFlavor/openai``.
        public var flavor: MockFlavor
        /// The seed of every random choice. Default 0.
        public var seed: UInt64
        /// When set, requests must carry this key (`Authorization: Bearer` or `x-api-key`), else 401.
        public var apiKey: String?
        /// Where the server logs. Default: warnings and errors only.
        public var logger: Logger
        /// The wall clock, in Unix seconds, for `created` and HTTP-date `Retry-After`.
        public var wallClock: @Sendable () -> Int64

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - logger: where to log; when `nil`, a `shepherd.mock` logger at `logLevel`.
        ///   - logLevel: the level of the default logger (`trace` … `critical`); `warning` when `nil` or unknown.
        public init(
            host: String = "127.0.0.1", port: Int = 0, flavor: MockFlavor = .openai, seed: UInt64 = 0,
            apiKey: String? = nil, logger: Logger? = nil, logLevel: String? = nil,
            wallClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
        ) {
            self.host = host
            self.port = port
            self.flavor = flavor
            self.seed = seed
            self.apiKey = apiKey
            self.logger =
                logger
                ?? {
                    var logger = Logger(label: "shepherd.mock")
                    logger.logLevel = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .warning
                    return logger
                }()
            self.wallClock = wallClock
        }

        /// The log level names ``init(host:port:flavor:seed:apiKey:logger:logLevel:wallClock:)`` accepts.
        public static var logLevels: [String] { Logger.Level.allCases.map(\.rawValue) }
    }

    /// Thrown by ``port()`` when the server stopped (or failed to start) before binding.
    public struct NotRunning: Error, Sendable, CustomStringConvertible {
        /// Why.
        public var reason: String
        public var description: String { "mock provider is not running: \(reason)" }
    }

    private struct StatsWaiter {
        var predicate: @Sendable (MockStats) -> Bool
        var continuation: CheckedContinuation<MockStats, Never>
    }

    private struct State {
        var upstream: MockUpstream
        var start: C.Instant
        var requestCount = 0
        var stats = MockStats()
        var statsWaiters: [UInt64: StatsWaiter] = [:]
        var nextWaiterID: UInt64 = 0
        var port: Int?
        var portWaiters: [CheckedContinuation<Int, any Error>] = []
        var stopReason: String?
        var lastRequest: MockRecordedRequest?
    }

    /// The clock the mock waits on.
    public let clock: C
    /// The configuration it was created with.
    public let configuration: Configuration
    private let state: Mutex<State>

    /// Creates a mock provider; it listens once ``run()`` is called.
    ///
    /// - Parameters:
    ///   - scenario: the faults, phase by phase (default: healthy).
    ///   - configuration: address, flavor, seed, key.
    ///   - clock: the clock for latency, stalls and phase times (a `ManualClock` in tests).
    public init(scenario: FaultScenario = .healthy, configuration: Configuration = .init(), clock: C) {
        self.clock = clock
        self.configuration = configuration
        self.state = Mutex(
            State(upstream: MockUpstream(scenario: scenario, seed: configuration.seed), start: clock.now))
    }

    // MARK: Reconfiguration

    /// The scenario in force.
    public var scenario: FaultScenario { state.withLock { $0.upstream.scenario } }

    /// Replaces the scenario while the server runs.
    ///
    /// - Parameters:
    ///   - scenario: the new scenario.
    ///   - restartTime: whether its phases count from now (default) or from the original start.
    public func setScenario(_ scenario: FaultScenario, restartTime: Bool = true) {
        let now = clock.now
        state.withLock { state in
            state.upstream.setScenario(scenario)
            if restartTime { state.start = now }
        }
        configuration.logger.info("scenario changed", metadata: ["scenario": "\(scenario.name)"])
    }

    /// What the server has done so far.
    public var stats: MockStats { state.withLock { $0.stats } }

    /// The last request received.
    public var lastRequest: MockRecordedRequest? { state.withLock { $0.lastRequest } }

    /// Suspends until the stats satisfy `predicate` (returns at once if they already do).
    ///
    /// How a test waits for the server to notice something (a client disconnect, a
    /// stall) without sleeping. Returns early, with the current stats, if the task is cancelled.
    @discardableResult
    public func waitForStats(_ predicate: @escaping @Sendable (MockStats) -> Bool) async -> MockStats {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<MockStats, Never>) in
                let ready = state.withLock { state -> MockStats? in
                    if predicate(state.stats) || Task.isCancelled { return state.stats }
                    state.statsWaiters[id] = StatsWaiter(predicate: predicate, continuation: continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                (state.statsWaiters.removeValue(forKey: id), state.stats)
            }
            waiter.0?.continuation.resume(returning: waiter.1)
        }
    }

    func updateStats(_ update: (inout MockStats) -> Void) {
        let (ready, stats) = state.withLock { state -> ([CheckedContinuation<MockStats, Never>], MockStats) in
            update(&state.stats)
            let stats = state.stats
            let due = state.statsWaiters.filter { $0.value.predicate(stats) }
            for id in due.keys { state.statsWaiters.removeValue(forKey: id) }
            return (due.values.map(\.continuation), stats)
        }
        for continuation in ready { continuation.resume(returning: stats) }
    }

    /// Takes the decision for one request and counts it.
    func decide(streaming: Bool, record: MockRecordedRequest, model: String? = nil) -> (
        number: Int, decision: MockDecision
    ) {
        let now = clock.now
        let (number, decision, ready, stats) = state.withLock { state in
            state.requestCount += 1
            state.stats.requests += 1
            state.lastRequest = record
            let decision = state.upstream.decide(
                elapsed: state.start.duration(to: now), streaming: streaming, model: model)
            let stats = state.stats
            let due = state.statsWaiters.filter { $0.value.predicate(stats) }
            for id in due.keys { state.statsWaiters.removeValue(forKey: id) }
            return (state.requestCount, decision, due.values.map(\.continuation), stats)
        }
        for continuation in ready { continuation.resume(returning: stats) }
        return (number, decision)
    }

    // MARK: Running

    /// The bound port, waiting until the server listens.
    /// - Throws: ``NotRunning`` when the server stopped or failed before binding.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let result = state.withLock { state -> Result<Int, any Error>? in
                if let port = state.port { return .success(port) }
                if let reason = state.stopReason { return .failure(NotRunning(reason: reason)) }
                state.portWaiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// The base URL of the OpenAI-style API (`http://host:port/v1`), waiting until the server listens.
    public func baseURL() async throws -> String {
        "http://\(configuration.host):\(try await port())/v1"
    }

    /// Runs the server until the calling task is cancelled.
    ///
    /// Cancellation stops it at once (HummingbirdCore logs the cancelled accept loop at
    /// error level on the configured logger). For a graceful drain inside your own
    /// `ServiceGroup`, add ``application()`` to the group instead.
    public func run() async throws {
        try await run(logger: configuration.logger)
    }

    func run(logger: Logger) async throws {
        state.withLock { state in
            state.stopReason = nil
            state.port = nil
        }
        do {
            try await makeApplication(logger: logger).run()
            stopped("the server stopped")
        } catch {
            stopped("\(error)")
            throw error
        }
    }

    /// Runs the server until SIGINT or SIGTERM, then drains gracefully.
    public func runService() async throws {
        do {
            try await makeApplication(logger: configuration.logger).runService()
            stopped("the server stopped")
        } catch {
            stopped("\(error)")
            throw error
        }
    }

    /// Runs the server for the duration of `body`, which receives the bound port.
    ///
    /// ```swift
    /// let answer = try await mock.withRunning { port in
    ///     try await provider(port).complete(request)
    /// }
    /// ```
    public func withRunning<R>(_ body: (Int) async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Cancellation is how this scope ends: keep HummingbirdCore's report of it out of the logs.
            var quiet = configuration.logger
            quiet.logLevel = .critical
            group.addTask { [quiet] in try await self.run(logger: quiet) }
            do {
                let port = try await self.port()
                let result = try await body(port)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private func bound(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.portWaiters = [] }
            return state.portWaiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
        configuration.logger.info(
            "mock provider listening",
            metadata: ["port": "\(port)", "flavor": "\(configuration.flavor.rawValue)", "scenario": "\(scenario.name)"])
    }

    private func stopped(_ reason: String) {
        let waiters = state.withLock { state in
            state.stopReason = reason
            state.port = nil
            defer { state.portWaiters = [] }
            return state.portWaiters
        }
        for waiter in waiters { waiter.resume(throwing: NotRunning(reason: reason)) }
    }

    /// The Hummingbird application serving the mock: a swift-service-lifecycle `Service`, for a
    /// `ServiceGroup` of your own (graceful shutdown included). ``port()`` works as with ``run()``.
    public func application() -> some ApplicationProtocol {
        makeApplication(logger: configuration.logger)
    }

    private func makeApplication(logger: Logger) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [self] channel in
                bound(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
    }
}

extension MockProviderServer where C == ContinuousClock {
    /// Creates a mock provider on the real clock (as `shepherd mock` runs it).
    public convenience init(scenario: FaultScenario = .healthy, configuration: Configuration = .init()) {
        self.init(scenario: scenario, configuration: configuration, clock: ContinuousClock())
    }
}
