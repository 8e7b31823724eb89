public import Canary
public import Logging
public import Resilience
public import Upstream
import Synchronization
import Tracing

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
public final class MigrationRouter<C: Clock>: Sendable where C.Duration == Duration {
    /// How the router behaves around the policy.
    public struct Configuration: Sendable {
        /// The rollout policy (ramp, health, window, prices).
        public var policy: RolloutPolicy
        /// Retries on the relay before failing over. Default: one attempt, fail over at once
        /// (legacy is the known-good path; retrying a failing relay only delays the answer).
        public var relayRetry: RetryPolicy
        /// Retries on legacy. Default: three attempts.
        public var legacyRetry: RetryPolicy
        /// Total deadline and per-attempt timeout of each path.
        public var deadlines: Deadlines
        /// Start the rollout at the initial percentage when the store has no state for it. Default `true`.
        public var autoStart: Bool
        /// How many recent decisions ``status()`` reports. Default 20.
        public var recentDecisionLimit: Int
        /// On a ``SharedRolloutStore``: this replica's coordination settings.
        public var fleet: FleetConfiguration
        /// How attempts are traced: the bootstrapped tracer by default, never the prompt unless asked.
        public var tracing: RouterTracing

        /// Creates a configuration.
        public init(
            policy: RolloutPolicy,
            relayRetry: RetryPolicy = RetryPolicy(maxAttempts: 1),
            legacyRetry: RetryPolicy = RetryPolicy(maxAttempts: 3),
            deadlines: Deadlines = .standard,
            autoStart: Bool = true,
            recentDecisionLimit: Int = 20,
            fleet: FleetConfiguration = FleetConfiguration(),
            tracing: RouterTracing = RouterTracing()
        ) {
            self.fleet = fleet
            self.tracing = tracing
            self.policy = policy
            self.relayRetry = relayRetry
            self.legacyRetry = legacyRetry
            self.deadlines = deadlines
            self.autoStart = autoStart
            self.recentDecisionLimit = recentDecisionLimit
        }

        /// The controller's part of the configuration.
        var controllerConfiguration: RolloutController<C>.Configuration {
            .init(policy: policy, autoStart: autoStart, recentDecisionLimit: recentDecisionLimit, fleet: fleet)
        }
    }

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
    /// The circuit breakers, one per path.
    public let breakers: CircuitBreakerRegistry<C>

    let legacy: any ChatProvider
    let relay: any ChatProvider
    let clock: C
    let split: TrafficSplit
    let random: Mutex<SeededGenerator>
    let executors: [TrafficPath: RetryExecutor<C>]
    /// Walks a tier's model chain on the relay (`nil` when the policy has no chains): one
    /// long-lived executor for every call, its chain chosen per call by ``relayChain(tier:model:)``.
    let chainExecutor: ModelChainExecutor<C>?
    let metrics: RouterMetrics
    /// The list prices under the policy's `prices:`, for answers that do not bring their cost.
    let prices: PriceTable
    let logger: Logger
    /// Attempt spans; inert when no tracer is bootstrapped.
    let tracing: AttemptTracer
    /// The latest configuration problem of each path (TLS, DNS, credentials), until it answers again.
    let problems = Mutex<[TrafficPath: String]>([:])

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
        self.tracing = AttemptTracer(configuration.tracing)
        self.controller = try await RolloutController(
            configuration: configuration.controllerConfiguration, store: store, rollbackSwitch: rollbackSwitch,
            clock: clock, wallNow: wallNow, logger: logger)
        self.window = controller.window
        self.split = TrafficSplit(rolloutID: policy.rolloutID)
        self.random = Mutex(SeededGenerator(seed: seed))
        let prices = PriceTable(defaultsOverriddenBy: policy.prices)
        self.prices = prices
        self.metrics = RouterMetrics(
            rolloutID: policy.rolloutID,
            knownModels: Set(prices.prices.keys).union(policy.chains.values.flatMap { $0 }))
        let metrics = self.metrics
        let breakers = CircuitBreakerRegistry(clock: clock, observer: { key, transition in
            metrics.breakerTransition(key: key.description, to: transition.to)
            logger.notice(
                "circuit breaker \(key): \(transition.from) → \(transition.to) (\(transition.reason))",
                metadata: TransitionLogMetadata.breaker(
                    key: key.description, from: transition.from, to: transition.to, reason: transition.reason))
        })
        self.breakers = breakers
        self.executors = [
            .legacy: try RetryExecutor(
                policy: configuration.legacyRetry, deadlines: configuration.deadlines,
                budget: try RetryBudget(), breaker: breakers.breaker(for: .init(upstream: "legacy")), clock: clock),
            .relay: try RetryExecutor(
                policy: configuration.relayRetry, deadlines: configuration.deadlines,
                budget: try RetryBudget(), breaker: breakers.breaker(for: .init(upstream: "relay")), clock: clock),
        ]
        if let (_, models) = policy.chains.min(by: { $0.key < $1.key }) {
            // Per-model breakers come from the same registry (`relay/<model>` in the status).
            self.chainExecutor = try ModelChainExecutor(
                chain: Self.modelChain(models, retry: configuration.relayRetry), backoff: configuration.relayRetry.backoff,
                honoursRetryAfter: configuration.relayRetry.honoursRetryAfter, deadlines: configuration.deadlines,
                hedging: Self.hedging(policy.hedging, window: window), breakers: breakers, clock: clock)
        } else {
            self.chainExecutor = nil
        }
        // Both breakers are in /metrics from the start, not only after their first transition.
        for (key, breaker) in breakers.all { metrics.breakerTransition(key: key.description, to: breaker.state) }
    }

    // MARK: Routing

    /// The percentage the split uses now: the controller's, read from memory.
    public var effectivePercent: Double { controller.effectivePercent }

    /// The rollout's status with this router's circuit breakers.
    public func status() -> RolloutStatus {
        var states: [String: String] = [:]
        for (key, breaker) in breakers.all { states[key.description] = "\(breaker.state)" }
        var status = controller.status(breakers: states)
        let problems = configurationProblems
        status.problems = problems.isEmpty ? nil : problems
        return status
    }

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
        let chain = try relayChain(tier: routing.tier, model: request.model)
        let chosen = choosePath(forKey: RoutingHint.key(explicit: routing.key, request: request))
        let attempts = makeAttemptLog(chosen: chosen)
        if chosen == .relay {
            do {
                let response: ChatResponse
                if let chain, let tier = routing.tier {
                    response = try await onRelayChain(chain, tier: tier, request, attempts) { call, context in
                        try await self.attempt(.relay, self.relay, call, routing, attempts, context)
                    }
                } else {
                    response = try await completeOn(.relay, request, routing, attempts)
                }
                return RoutedResponse(
                    response: response, path: .relay, chosenPath: .relay, fellBack: false,
                    attempts: attempts.all)
            } catch {
                try rethrowUnlessFailover(error, attempts: attempts.all)
                metrics.fallback()
                logger.info(
                    "relay failed, answering from legacy",
                    metadata: ["class": "\(FailureClassifier().classify(error).rawValue)"])
            }
        }
        do {
            let response = try await completeOn(.legacy, request, routing, attempts)
            if chosen == .legacy, let latency = attempts.all.last(where: { $0.path == .legacy })?.latency {
                shadowIfSampled(request, legacy: response, latency: latency, routing: routing)
            }
            return RoutedResponse(
                response: response, path: .legacy, chosenPath: chosen, fellBack: chosen == .relay,
                attempts: attempts.all)
        } catch {
            guard chosen == .legacy, relayMayAnswerForLegacy(error) else {
                throw routerError(for: error, attempts: attempts.all)
            }
        }
        // Legacy is down and the relay carries traffic already: the caller is better served by it.
        do {
            let response = try await completeOn(.relay, request, routing, attempts)
            metrics.fallback()
            logger.info(
                "legacy failed, answering from the relay",
                metadata: ["class": "\(attempts.all.first?.failure?.rawValue ?? "other")"])
            return RoutedResponse(
                response: response, path: .relay, chosenPath: .legacy, fellBack: true, attempts: attempts.all)
        } catch {
            throw routerError(for: error, attempts: attempts.all)
        }
    }

    /// Whether a call routed to legacy that failed there may be answered by the relay: only for a
    /// failure that fails over (an outage, not the caller's bad request), and only while the relay
    /// serves traffic (its percentage is above 0: not before the rollout starts, not after a
    /// rollback, never while the rollback switch is engaged). The relay's breaker and retry budget
    /// still apply, and its attempt is judged in its window like any other.
    private func relayMayAnswerForLegacy(_ error: any Error) -> Bool {
        FailureClassifier().classify(error).isFailover && effectivePercent > 0
    }

    private func completeOn(
        _ path: TrafficPath, _ request: ChatRequest, _ routing: RoutingHint, _ attempts: AttemptLog
    ) async throws -> ChatResponse {
        let provider = provider(for: path)
        do {
            return try await executors[path]!.execute { context in
                try await self.attempt(path, provider, request, routing, attempts, context)
            }
        } catch let error as ResilienceError {
            recordRejection(error, path: path, model: request.model, attempts: attempts)
            throw error
        }
    }

    /// A call the path's breaker refused without calling: to the caller and to the scorer this is
    /// a failed call of the path (the relay is considered down), so the window records it;
    /// otherwise an open relay breaker would hide the relay's failures from the ramp, and the
    /// rollout would sit at its percentage with every call falling back.
    private func recordRejection(_ error: ResilienceError, path: TrafficPath, model: String, attempts: AttemptLog) {
        guard case .circuitOpen = error.code else { return }
        tracing.rejected(
            path: path, provider: provider(for: path), model: model, label: error.metricLabel,
            failover: path != attempts.chosen)
        record(.failure(.serverError), path: path, model: model, latency: .zero, at: clock.now)
        attempts.append(
            RoutedAttempt(
                path: path, provider: provider(for: path).name, model: model, failure: .serverError,
                detail: error.metricLabel, latency: .zero))
    }

    /// Whether an error is the executor ending an attempt that outlived its timeout (it cancels
    /// the attempt, which then sees a cancellation): the path's timeout, which counts against it.
    private func timedOut(_ error: any Error, after latency: Duration) -> Bool {
        let limits = [configuration.deadlines.perAttempt, configuration.deadlines.total].compactMap { $0 }
        guard let limit = limits.min() else { return false }
        return FailureClassifier().classify(error) == .cancelled && latency >= limit
    }

    /// One attempt on one path: call, record the outcome in the window and the metrics, log it.
    private func attempt(
        _ path: TrafficPath, _ provider: any ChatProvider, _ request: ChatRequest, _ routing: RoutingHint,
        _ attempts: AttemptLog, _ context: AttemptContext
    ) async throws -> ChatResponse {
        let span = tracing.start(
            .init(
                path: path, provider: provider, request: request, number: context.attempt,
                failover: path != attempts.chosen, hedge: context.isHedge, retryWait: attempts.retryWait(before: context.attempt)))
        defer { attempts.ended() }
        let start = clock.now
        do {
            let response = try await inSpan(span) { try await provider.complete(request, context: routing.context) }
            let end = clock.now
            let latency = start.duration(to: end)
            let (usage, cost) = billing(of: response, request: request)
            record(
                .success, path: path, model: request.model, latency: latency, at: end,
                inputTokens: usage?.promptTokens ?? 0, outputTokens: usage?.completionTokens ?? 0, cost: cost)
            attempts.append(
                RoutedAttempt(path: path, provider: provider.name, model: request.model, failure: nil, detail: nil, latency: latency))
            clearProblem(on: path)
            AttemptTracer.succeeded(span, response: response, usage: usage, cost: cost, recordContent: tracing.recordContent)
            return response
        } catch {
            let end = clock.now
            let latency = start.duration(to: end)
            let failureClass = timedOut(error, after: latency) ? .timeout : FailureClassifier().classify(error)
            AttemptTracer.failed(span, class: failureClass, label: Self.label(of: error))
            record(.failure(failureClass), path: path, model: request.model, latency: latency, at: end)
            attempts.append(
                RoutedAttempt(
                    path: path, provider: provider.name, model: request.model, failure: failureClass,
                    detail: Self.label(of: error), latency: latency))
            alarmIfMisconfigured(error, class: failureClass, path: path, provider: provider.name)
            throw error
        }
    }

    /// What an answer used and cost: the provider's figure, else the usage at the policy's prices
    /// for the model that answered.
    func billing(of response: ChatResponse, request: ChatRequest) -> (usage: Usage?, cost: Double) {
        let usage = response.usage ?? response.metadata?.usage
        let model = response.metadata?.upstreamModel ?? request.model
        let cost =
            response.metadata?.cost
            ?? usage.flatMap {
                prices.cost(
                    model: model, inputTokens: $0.promptTokens, outputTokens: $0.completionTokens,
                    cachedInputTokens: $0.cachedTokens)
            } ?? 0
        return (usage, cost)
    }

    private func record(
        _ status: CallOutcome.Status, path: TrafficPath, model: String, latency: Duration, at end: C.Instant,
        inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0
    ) {
        window.record(
            CallOutcome(
                status, latency: latency, inputTokens: inputTokens, outputTokens: outputTokens, cost: cost,
                model: model),
            on: path, at: end)
        var outcome: FailureClass?
        if case .failure(let failureClass) = status { outcome = failureClass }
        metrics.request(path: path, model: model, outcome: outcome, latency: latency, ttft: nil)
        if case .success = status {
            metrics.usage(path: path, model: model, input: inputTokens, output: outputTokens, cost: cost)
        }
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
        let chain = try relayChain(tier: routing.tier, model: request.model)
        let chosen = choosePath(forKey: RoutingHint.key(explicit: routing.key, request: request))
        let attempts = makeAttemptLog(chosen: chosen)
        if chosen == .relay {
            do {
                if let chain, let tier = routing.tier {
                    // Each model's stream is opened up to its first chunk: the chain ends at the commit point.
                    return try await onRelayChain(chain, tier: tier, request, attempts) { call, context in
                        let stream = try await self.openStream(on: .relay, chosen: chosen, call, routing, attempts, context)
                        // The first chunk is in: this attempt is the caller's, and a hedge is cancelled.
                        // One that got here second is dropped, and its upstream request with it.
                        guard context.commit() else { throw CancellationError() }
                        return stream
                    }
                }
                return try await streamOn(.relay, chosen: chosen, request, routing, attempts)
            } catch {
                try rethrowUnlessFailover(error, attempts: attempts.all)
                metrics.fallback()
            }
        }
        do {
            return try await streamOn(.legacy, chosen: chosen, request, routing, attempts)
        } catch {
            guard chosen == .legacy, relayMayAnswerForLegacy(error) else {
                throw routerError(for: error, attempts: attempts.all)
            }
        }
        // Legacy failed before its first chunk and the relay carries traffic: open it there.
        do {
            let stream = try await streamOn(.relay, chosen: chosen, request, routing, attempts)
            metrics.fallback()
            return stream
        } catch {
            throw routerError(for: error, attempts: attempts.all)
        }
    }

    private func streamOn(
        _ path: TrafficPath, chosen: TrafficPath, _ request: ChatRequest, _ routing: RoutingHint, _ attempts: AttemptLog
    ) async throws -> RoutedStream {
        do {
            return try await executors[path]!.execute { context in
                try await self.openStream(on: path, chosen: chosen, request, routing, attempts, context)
            }
        } catch let error as ResilienceError {
            recordRejection(error, path: path, model: request.model, attempts: attempts)
            throw error
        }
    }

    /// Opens a stream on one path and waits for its first chunk (the commit point).
    private func openStream(
        on path: TrafficPath, chosen: TrafficPath, _ request: ChatRequest, _ routing: RoutingHint,
        _ attempts: AttemptLog, _ context: AttemptContext
    ) async throws -> RoutedStream {
        let provider = provider(for: path)
        let span = tracing.start(
            .init(
                path: path, provider: provider, request: request, number: context.attempt,
                failover: path != chosen, hedge: context.isHedge, retryWait: attempts.retryWait(before: context.attempt)))
        defer { attempts.ended() }
        let start = clock.now
        let recorder = StreamRecorder(
            path: path, model: request.model, provider: provider.name, start: start, clock: clock, window: window,
            metrics: metrics, prices: prices, span: span)
        do {
            let upstream = try await inSpan(span) { try await provider.stream(request, context: routing.context) }
            if let span { span.attributes[GenAIAttribute.responseModel] = upstream.metadata.upstreamModel }
            var iterator = upstream.frames()
            let first = try await iterator.next()
            recorder.firstChunk()
            if path == .legacy, chosen == .legacy { shadowIfSampled(request, stream: recorder, routing: routing) }
            clearProblem(on: path)
            attempts.append(
                RoutedAttempt(
                    path: path, provider: provider.name, model: request.model, failure: nil, detail: nil,
                    latency: start.duration(to: clock.now)))
            return RoutedStream(
                path: path, chosenPath: chosen, fellBack: chosen != path, attempts: attempts.all,
                metadata: upstream.metadata, first: first, iterator: iterator, recorder: recorder)
        } catch {
            let latency = start.duration(to: clock.now)
            let failureClass = recorder.fail(error, as: timedOut(error, after: latency) ? .timeout : nil)
            attempts.append(
                RoutedAttempt(
                    path: path, provider: provider.name, model: request.model, failure: failureClass,
                    detail: Self.label(of: error), latency: latency))
            alarmIfMisconfigured(error, class: failureClass, path: path, provider: provider.name)
            throw error
        }
    }

    // MARK: Model fallback chains

    /// The tiers a call may name: the policy's `chains`.
    public var tiers: [String] { configuration.policy.chains.keys.sorted() }

    /// Whether a call may name `tier` (the policy has a chain for it).
    public func knowsTier(_ tier: String) -> Bool {
        configuration.policy.chains[tier]?.isEmpty == false
    }

    /// The relay models a call of `tier` asking for `model` tries, in order: the tier's chain
    /// from `model` on when the chain lists it (a call never moves up to a dearer model than it
    /// asked for), else `model` first and then the whole chain. `nil` without a tier.
    ///
    /// - Throws: ``RouterError`` (`rejected`, 400) for a tier the policy does not define.
    public func relayChain(tier: String?, model: String) throws -> [String]? {
        guard let tier else { return nil }
        guard knowsTier(tier), let list = configuration.policy.chains[tier] else {
            let known = tiers.isEmpty ? "the policy defines none" : "the policy defines \(tiers.joined(separator: ", "))"
            throw RouterError(
                code: .rejected, failureClass: .clientError, httpStatus: 400,
                message: "unknown tier \"\(tier)\": \(known)", attempts: [], underlying: nil)
        }
        if let index = list.firstIndex(of: model) { return Array(list[index...]) }
        return [model] + list
    }

    /// The policy's hedging as the chain executor takes it; a p95 delay reads the relay's window.
    static func hedging(_ settings: HedgingSettings?, window: HealthWindow<C>) -> HedgingPolicy {
        switch settings?.delay {
        case nil: .off
        case .fixed(let delay): .after(.fixed(delay))
        case .relayP95(let fallback):
            .after(.observedP95(fallback: fallback, provider: { _ in window.snapshot(of: .relay).p95 }))
        }
    }

    static func modelChain(_ models: [String], retry: RetryPolicy) -> ModelChain {
        let perModel = max(1, retry.maxAttempts)
        return ModelChain(
            models.map { ModelChain.Model($0, upstream: TrafficPath.relay.rawValue, maxAttempts: perModel) },
            maxTotalAttempts: models.count * perModel)
    }

    /// Runs `call` down the relay chain `models`: the next model on a rate limit, a server error
    /// or a connection failure, each attempt recorded in the window as a relay call. Every model
    /// has its own breaker (`relay/<model>`); when all of them are open, nothing was called and
    /// the call is recorded as one relay failure, as an open path breaker is.
    private func onRelayChain<T: Sendable>(
        _ models: [String], tier: String, _ request: ChatRequest, _ attempts: AttemptLog,
        _ call: @escaping @Sendable (ChatRequest, AttemptContext) async throws -> T
    ) async throws -> T {
        guard let executor = chainExecutor else {
            // Unreachable: relayChain(tier:model:) only returns a chain when the policy has chains.
            throw RouterError(
                code: .rejected, failureClass: .clientError, httpStatus: 400, message: "no model chains configured",
                attempts: [], underlying: nil)
        }
        do {
            let result = try await executor.execute(chain: Self.modelChain(models, retry: configuration.relayRetry)) {
                model, context in
                var attempt = request
                attempt.model = model.name
                return try await call(attempt, context)
            }
            if result.hedged { metrics.hedge(tier: tier) }
            if result.model != models[0] {
                metrics.modelFallback(tier: tier)
                logger.info(
                    "relay model chain answered with a later model",
                    metadata: ["tier": "\(tier)", "asked": "\(models[0])", "answered": "\(result.model)"])
            }
            return result.value
        } catch let error as ResilienceError {
            if case .chainExhausted(let tried) = error.code {
                let skipped = tried.filter { $0.outcome == .rejectedByBreaker }
                for record in skipped {
                    tracing.rejected(
                        path: .relay, provider: relay, model: record.model, label: "circuit_open",
                        failover: attempts.chosen != .relay)
                    attempts.append(
                        RoutedAttempt(
                            path: .relay, provider: relay.name, model: record.model, failure: .serverError,
                            detail: "circuit_open", latency: .zero))
                }
                if !skipped.isEmpty, skipped.count == tried.count {
                    record(.failure(.serverError), path: .relay, model: request.model, latency: .zero, at: clock.now)
                }
            }
            throw error
        }
    }

    /// Runs `body` with `span` as the current context, so that the upstream request (and any
    /// span made under it) is its child; as it is when tracing is off.
    private func inSpan<T>(_ span: (any Span)?, _ body: () async throws -> T) async throws -> T {
        guard let span else { return try await body() }
        return try await InstrumentationContext.$current.withValue(span.context) { try await body() }
    }

    /// A call's attempt log; it times the waits between attempts only when tracing is on.
    private func makeAttemptLog(chosen: TrafficPath) -> AttemptLog {
        guard tracing.isOn else { return AttemptLog(chosen: chosen) }
        let clock = clock
        let start = clock.now
        return AttemptLog(chosen: chosen, elapsed: { start.duration(to: clock.now) })
    }

    private func provider(for path: TrafficPath) -> any ChatProvider {
        path == .legacy ? legacy : relay
    }

    private func rethrowUnlessFailover(_ error: any Error, attempts: [RoutedAttempt]) throws {
        let failureClass = FailureClassifier().classify(error)
        if failureClass.isFailover { return }
        throw routerError(for: error, attempts: attempts)
    }

    private func routerError(for error: any Error, attempts: [RoutedAttempt]) -> RouterError {
        let failureClass = FailureClassifier().classify(error)
        let status = (error as? ProviderError)?.httpStatus
        let code: RouterError.Code
        switch failureClass {
        case .clientError: code = .rejected
        case .authError: code = .upstreamAuth
        case .cancelled: code = .cancelled
        default: code = .allPathsFailed
        }
        let message: String
        switch code {
        case .rejected: message = "the upstream rejected the request"
        case .upstreamAuth: message = "an upstream refused Shepherd's credentials"
        case .cancelled: message = "the caller went away"
        case .allPathsFailed: message = "every path failed"
        }
        return RouterError(
            code: code, failureClass: failureClass, httpStatus: status,
            message: "\(message): \(Self.label(of: error))", attempts: attempts, underlying: error)
    }

    /// A short, secret-free label of an error for attempts and logs.
    static func label(of error: any Error) -> String {
        errorLabel(error)
    }

    /// Embeddings go to the path the split chooses, with the same failover rule.
    public func embeddings(_ request: EmbeddingRequest, routing: RoutingHint = RoutingHint()) async throws
        -> (EmbeddingResponse, TrafficPath)
    {
        let chosen = choosePath(forKey: routing.key)
        if chosen == .relay {
            do {
                return (try await relay.embeddings(request, context: routing.context), .relay)
            } catch {
                try rethrowUnlessFailover(error, attempts: [])
                metrics.fallback()
            }
        }
        do {
            return (try await legacy.embeddings(request, context: routing.context), .legacy)
        } catch {
            throw routerError(for: error, attempts: [])
        }
    }

    /// The models of the path new traffic is heading to (the relay once it carries any), else legacy.
    public func models(context: CallContext = CallContext()) async throws -> ModelList {
        if effectivePercent > 0, let list = try? await relay.models(context: context) { return list }
        return try await legacy.models(context: context)
    }
}

/// The attempts of one call, appended from inside retried operations.
final class AttemptLog: Sendable {
    private let attempts = Mutex<[RoutedAttempt]>([])
    /// The path the split chose: an attempt elsewhere answers a failover.
    let chosen: TrafficPath
    /// Time since the call began, when tracing wants the waits between attempts; else `nil`.
    private let elapsed: (@Sendable () -> Duration)?
    /// When the latest attempt ended (on `elapsed`'s scale).
    private let lastEnd = Mutex<Duration?>(nil)

    init(chosen: TrafficPath, elapsed: (@Sendable () -> Duration)? = nil) {
        self.chosen = chosen
        self.elapsed = elapsed
    }

    /// The wait before a retry (`attempt` > 1) since the previous attempt ended, when timed.
    func retryWait(before attempt: Int) -> Duration? {
        guard attempt > 1, let elapsed, let end = lastEnd.withLock({ $0 }) else { return nil }
        return elapsed() - end
    }

    /// Marks the end of an attempt, when timed.
    func ended() {
        guard let elapsed else { return }
        let now = elapsed()
        lastEnd.withLock { $0 = now }
    }

    func append(_ attempt: RoutedAttempt) {
        attempts.withLock { $0.append(attempt) }
    }

    var all: [RoutedAttempt] { attempts.withLock { $0 } }
}
