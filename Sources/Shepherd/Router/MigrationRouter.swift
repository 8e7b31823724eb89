public import Canary
public import Logging
public import Resilience
import Synchronization
public import Upstream

/// Routes every LLM call between the legacy path and the relay, and steers the rollout.
///
/// The façade of Shepherd for in-process use, and the engine behind `shepherd serve`:
///
/// - each call is split by the sticky, monotone ``TrafficSplit`` at the ramp's
///   effective percentage (0 while the ``RollbackSwitch`` is engaged);
/// - each path runs under its own retry policy, retry budget and circuit breaker;
/// - every attempt's outcome is recorded in the ``HealthWindow``;
/// - a relay failure of a failover class (timeout, 429, 5xx, connection, open
///   breaker) is answered by legacy, recorded as a relay failure, and invisible
///   to the caller except through ``RoutedResponse/fellBack``; a legacy failure of
///   a failover class is answered by the relay while the relay carries traffic (its
///   percentage above 0); client and auth errors are never failed over;
/// - streams fail over only before their first chunk reaches the caller;
/// - the rollout itself (evaluations on the policy's interval, operator commands, the stored
///   state, a fleet of replicas on a shared store) is the ``controller``'s, a
///   ``RolloutController`` the router only reads the percentage from and records calls into;
///   run it in your `ServiceGroup`.
///
/// Embedding it takes a few lines:
///
/// ```swift
/// let router = try await MigrationRouter(
///     legacy: AnthropicProvider(configuration: .init(name: "legacy", apiKey: .environment("ANTHROPIC_API_KEY"))),
///     relay: OpenAICompatibleProvider(configuration: .init(
///         name: "relay", baseURL: "https://relay.example.com/v1", apiKey: .environment("RELAY_API_KEY"))),
///     configuration: .init(policy: try RolloutPolicy.load(file: "policies/default.yaml")),
///     store: try SQLiteRolloutStore(path: "shepherd.sqlite"))
/// let answer = try await router.complete(request, routing: RoutingHint(key: request.user))
/// // and run `router.controller` in your ServiceGroup so that it evaluates on schedule.
/// ```
public final class MigrationRouter<C: DeadlineClock>: Sendable where C.Duration == Duration {
    /// The configuration in force.
    public let configuration: Configuration
    /// The rollout's id.
    public var rolloutID: String { configuration.policy.rolloutID }
    /// The rollout's life: evaluations, operator commands, the stored state, the fleet. Run it in
    /// the application's `ServiceGroup`.
    public let controller: RolloutController<C>
    /// The rollback switch the router obeys (the controller's).
    public var rollbackSwitch: RollbackSwitch { controller.rollbackSwitch }
    /// The health window of both paths (the controller's), recorded into by every call.
    public let window: HealthWindow<C>
    /// The circuit breakers: one per path (`legacy/*`, `relay/*`), one per relay chain model.
    public let breakers: CircuitBreakerRegistry<C>

    let legacy: any ChatProvider
    let relay: any ChatProvider
    let clock: C
    let split: TrafficSplit
    let random: Mutex<SeededGenerator>
    /// One executor per path: its retry budget and breakers serve every call on it, tiered or not.
    let legacyExecutor: PathExecutor<C>
    let relayExecutor: PathExecutor<C>
    /// Executes and records each attempt on a path.
    let caller: PathCaller<C>
    let failover = FailoverRule()
    let metrics: RouterMetrics
    let logger: Logger

    /// Creates a router, resuming the rollout's stored state (or starting it).
    ///
    /// - Parameters:
    ///   - legacy: the direct-provider client (baseline).
    ///   - relay: the gateway client (canary).
    ///   - configuration: the policy and retry settings.
    ///   - store: where state and history live.
    ///   - rollbackSwitch: the emergency brake (default: read from the process environment by the caller).
    ///   - clock: the clock calls are timed and evaluations scheduled on.
    ///   - wallNow: calendar time for stored state and events.
    ///   - seed: the seed of the random split for unkeyed requests.
    ///   - logger: where decisions and alarms are logged (never a secret).
    /// - Throws: a ``RolloutStoreError`` when the stored state cannot be read or the start stored;
    ///   a `ResilienceError` for retry settings that cannot work.
    public init(
        legacy: any ChatProvider,
        relay: any ChatProvider,
        configuration: Configuration,
        store: any RolloutStore,
        rollbackSwitch: RollbackSwitch = RollbackSwitch(),
        clock: C,
        wallNow: @escaping @Sendable () -> WallClock.Instant = { WallClock().now },
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        logger: Logger = Logger(label: "shepherd.router")
    ) async throws {
        let policy = configuration.policy
        self.configuration = configuration
        self.legacy = legacy
        self.relay = relay
        self.clock = clock
        self.logger = logger
        self.controller = try await RolloutController(
            configuration: configuration.controllerConfiguration, store: store, rollbackSwitch: rollbackSwitch,
            clock: clock, wallNow: wallNow, logger: logger)
        let window = controller.window
        self.window = window
        self.split = TrafficSplit(rolloutID: policy.rolloutID)
        self.random = Mutex(SeededGenerator(seed: seed))
        // The list prices under the policy's `prices:`, for answers that do not bring their cost.
        let prices = PriceTable(defaultsOverriddenBy: policy.prices)
        let metrics = RouterMetrics(
            rolloutID: policy.rolloutID,
            knownModels: Set(prices.prices.keys).union(policy.chains.values.flatMap { $0 }))
        self.metrics = metrics
        let breakers = CircuitBreakerRegistry(
            clock: clock,
            observer: { key, transition in
                metrics.breakerTransition(key: key.description, to: transition.to)
                logger.notice(
                    "circuit breaker \(key): \(transition.from) → \(transition.to) (\(transition.reason))",
                    metadata: TransitionLogMetadata.breaker(
                        key: key.description, from: transition.from, to: transition.to, reason: transition.reason))
            })
        self.breakers = breakers
        self.legacyExecutor = try PathExecutor(
            path: .legacy, retry: configuration.legacyRetry, deadlines: configuration.deadlines, chain: nil,
            hedging: .off, breakers: breakers, clock: clock)
        // Per-model breakers come from the same registry (`relay/<model>` in the status).
        self.relayExecutor = try PathExecutor(
            path: .relay, retry: configuration.relayRetry, deadlines: configuration.deadlines,
            chain: policy.chains.min(by: { $0.key < $1.key })?.value,
            hedging: Self.hedging(policy.hedging, window: window), breakers: breakers, clock: clock)
        self.caller = PathCaller(
            legacy: legacy, relay: relay, clock: clock, window: window, metrics: metrics, prices: prices,
            deadlines: configuration.deadlines, tracing: AttemptTracer(configuration.tracing),
            problems: PathProblems(logger: logger))
        // Both breakers are in /metrics from the start, not only after their first transition.
        for (key, breaker) in breakers.all { metrics.breakerTransition(key: key.description, to: breaker.state) }
    }

    // MARK: Routing

    /// The percentage the split uses now: the controller's, read from memory.
    public var effectivePercent: Double { controller.effectivePercent }

    /// The path a call with this routing key takes now.
    public func choosePath(forKey key: String?) -> TrafficPath {
        let percent = effectivePercent
        if let key { return split.path(forKey: key, percent: percent) }
        return random.withLock { split.path(forKey: nil, percent: percent, using: &$0) }
    }

    /// Answers a chat completion on the chosen path, failing over from the relay to legacy.
    ///
    /// With `routing.tier` the relay walks that tier's model fallback chain
    /// (``relayChain(tier:model:)``) before the call fails over; legacy, the path being migrated
    /// away from, always answers with the model asked for.
    ///
    /// - Throws: ``RouterError`` when the request is rejected upstream (not failed over), an
    ///   upstream refuses Shepherd's credentials, or every path tried failed.
    public func complete(_ request: ChatRequest, routing: RoutingHint = RoutingHint()) async throws -> RoutedResponse {
        let (answer, chosen, attempts) = try await route(request, routing, commitsOnChain: false) {
            path, _, call, attempts, context in
            try await self.caller.complete(on: path, call, routing, attempts, context)
        }
        if answer.path == .legacy, chosen == .legacy,
            let latency = attempts.all.last(where: { $0.path == .legacy })?.latency
        {
            shadowIfSampled(request, legacy: answer.value, latency: latency, routing: routing)
        }
        return RoutedResponse(
            response: answer.value, path: answer.path, chosenPath: chosen, fellBack: answer.path != chosen,
            attempts: attempts.all)
    }

    /// Starts a streamed chat completion; fails over to legacy only before the first chunk.
    ///
    /// Opening a stream (up to its first chunk) runs under the path's retry policy, retry
    /// budget, circuit breaker and deadlines, like a completion: an open relay breaker sends the
    /// stream to legacy without calling, and a legacy hiccup before the first chunk is retried.
    /// Once the first chunk arrived the stream is committed to its path. The returned stream
    /// yields the upstream's chunks as they arrive; its outcome (success, failure, or the caller
    /// going away) is recorded in the health window when it ends.
    public func stream(_ request: ChatRequest, routing: RoutingHint = RoutingHint()) async throws -> RoutedStream {
        // Each model's stream is opened up to its first chunk: the chain ends at the commit point.
        let (answer, chosen, _) = try await route(request, routing, commitsOnChain: true) {
            path, chosen, call, attempts, context in
            try await self.caller.openStream(on: path, chosen: chosen, call, routing, attempts, context)
        }
        if answer.path == .legacy, chosen == .legacy {
            shadowIfSampled(request, stream: answer.value.recorder, routing: routing)
        }
        return answer.value
    }

    /// Chooses the path for `request` and runs `call` there: on the relay's model chain for a
    /// tiered call routed to the relay, else on the path's executor; then fails over as
    /// ``routed(chosen:_:_:)`` decides. `call` gets the path, the path chosen, the request (its
    /// model set by the chain), the attempt log and the attempt's context.
    ///
    /// With `commitsOnChain` a chain attempt that returned commits (a stream's first chunk is
    /// in: a hedge is cancelled), and one that got there second is dropped with its upstream request.
    private func route<T: Sendable>(
        _ request: ChatRequest, _ routing: RoutingHint, commitsOnChain: Bool,
        _ call:
            @escaping @Sendable (TrafficPath, TrafficPath, ChatRequest, AttemptLog, AttemptContext) async throws -> T
    ) async throws -> (answer: (value: T, path: TrafficPath), chosen: TrafficPath, attempts: AttemptLog) {
        let chain = try relayChain(tier: routing.tier, model: request.model)
        let chosen = choosePath(forKey: RoutingHint.key(explicit: routing.key, request: request))
        let attempts = makeAttemptLog(chosen: chosen)
        let answer = try await routed(chosen: chosen, attempts) { path in
            if path == .relay, chosen == .relay, let chain, let tier = routing.tier {
                return try await self.onRelayChain(chain, tier: tier, request, attempts) { model, context in
                    let value = try await call(.relay, chosen, model, attempts, context)
                    if commitsOnChain { guard context.commit() else { throw CancellationError() } }
                    return value
                }
            }
            return try await self.on(path, model: request.model, attempts) { context in
                try await call(path, chosen, request, attempts, context)
            }
        }
        return (answer, chosen, attempts)
    }

    /// Runs `call` on the chosen path and, when it fails in a way the ``FailoverRule`` answers
    /// from the other path, there; throws the ``RouterError`` of the deciding failure otherwise.
    private func routed<T: Sendable>(
        chosen: TrafficPath, _ attempts: AttemptLog, _ call: (TrafficPath) async throws -> T
    ) async throws -> (value: T, path: TrafficPath) {
        // The decisions are out of line, to keep this async frame small (`Benchmarks/async-frames.py`).
        if chosen == .relay {
            do {
                return (try await call(.relay), .relay)
            } catch {
                try failOverToLegacy(after: error, attempts)
            }
        }
        do {
            return (try await call(.legacy), .legacy)
        } catch {
            try failOverToRelay(after: error, chosen: chosen, attempts)
        }
        // Legacy is down and the relay carries traffic already: the caller is better served by it.
        do {
            let value = try await call(.relay)
            relayAnswered(attempts)
            return (value, .relay)
        } catch {
            throw RouterError(deciding: FailureClassifier().outcome(of: error), error: error, attempts: attempts.all)
        }
    }

    /// The relay failed: returns when legacy should answer, throws the deciding failure otherwise.
    @inline(never)
    private func failOverToLegacy(after error: any Error, _ attempts: AttemptLog) throws(RouterError) {
        let failure = FailureClassifier().outcome(of: error)
        guard failover.legacyAnswers(after: failure) else {
            throw RouterError(deciding: failure, error: error, attempts: attempts.all)
        }
        metrics.fallback()
        logger.info("relay failed, answering from legacy", metadata: ["class": "\(failure.failureClass.rawValue)"])
    }

    /// Legacy failed: returns when the relay should answer, throws the deciding failure otherwise.
    @inline(never)
    private func failOverToRelay(after error: any Error, chosen: TrafficPath, _ attempts: AttemptLog)
        throws(RouterError)
    {
        let failure = FailureClassifier().outcome(of: error)
        guard failover.relayAnswers(after: failure, chosen: chosen, relayPercent: effectivePercent) else {
            throw RouterError(deciding: failure, error: error, attempts: attempts.all)
        }
    }

    @inline(never)
    private func relayAnswered(_ attempts: AttemptLog) {
        metrics.fallback()
        logger.info(
            "legacy failed, answering from the relay",
            metadata: ["class": "\(attempts.all.first?.failure?.rawValue ?? "other")"])
    }

    /// Runs one call on `path` under its executor; a call its breaker refused is recorded as a
    /// failed call of the path.
    private func on<T: Sendable>(
        _ path: TrafficPath, model: String, _ attempts: AttemptLog,
        _ operation: @escaping @Sendable (AttemptContext) async throws -> T
    ) async throws -> T {
        do {
            return try await (path == .legacy ? legacyExecutor : relayExecutor).execute(operation)
        } catch let error as ResilienceError {
            if case .circuitOpen = error.code {
                caller.recordRejection(error.outcome, path: path, model: model, attempts: attempts, window: true)
            }
            throw error
        }
    }

    /// A call's attempt log; it times the waits between attempts only when tracing is on.
    private func makeAttemptLog(chosen: TrafficPath) -> AttemptLog {
        guard caller.tracing.isOn else { return AttemptLog(chosen: chosen) }
        let clock = clock
        let start = clock.now
        return AttemptLog(chosen: chosen, elapsed: { start.duration(to: clock.now) })
    }
}
