import Canary

/// Runs a request down a model fallback chain: per-model attempts and breakers, one attempt
/// bound, one deadline, optional hedging, the streaming commit rule.
///
/// The chain is walked in order. For each model: its breaker is asked (a
/// rejection, an open circuit, moves on at once); the operation runs with the
/// model; a success returns a ``ChainResult`` naming the model and every
/// attempt. A failure:
///
/// - after ``AttemptContext/commit()``, or of class `cancelled`, surfaces as it is;
/// - of a class that is never failed over (client, auth, other) surfaces as it is;
/// - of a class in ``ModelChain/advancesImmediatelyOn`` (rate limit, outage) moves to the
///   next model at once;
/// - otherwise (a timeout) is retried on the same model after the jittered back-off or the
///   upstream's `Retry-After`, while the model has attempts, its upstream's retry budget allows
///   a retry, and the wait fits before the deadline; if not, the chain moves on.
///
/// ``ModelChain/maxTotalAttempts`` bounds the calls across the chain, hedges included. When the
/// chain runs out, ``ResilienceError/Code/chainExhausted(tried:)`` lists what was tried.
///
/// ```swift
/// let breakers = CircuitBreakerRegistry(clock: ContinuousClock())
/// let executor = try ModelChainExecutor(
///     chain: .default(for: .critical),
///     deadlines: try Deadlines(total: .seconds(60), perAttempt: .seconds(20)),
///     hedging: .after(.fixed(.seconds(4))),
///     breakers: breakers)
/// let result = try await executor.execute { model, context in
///     try await client.complete(request, model: model.name)
/// }
/// print(result.model, result.attempts, result.hedged)
/// ```
public struct ModelChainExecutor<C: DeadlineClock>: Sendable where C.Duration == Duration {
    /// The chain.
    public let chain: ModelChain
    /// The back-off between attempts on the same model.
    public let backoff: Backoff
    /// Whether `Retry-After` replaces the back-off for a retry on the same model.
    public let honoursRetryAfter: Bool
    /// The deadlines of the whole chain and of each attempt.
    public let deadlines: Deadlines
    /// Hedging (off by default).
    public let hedging: HedgingPolicy
    /// One breaker per upstream and model.
    public let breakers: CircuitBreakerRegistry<C>
    /// One retry budget per upstream.
    public let budgets: RetryBudgetRegistry
    /// Maps errors to failure classes.
    public let classifier: FailureClassifier
    /// The clock.
    public let clock: C
    /// Every call's attempt deadlines: one wake-up on the clock rather than a timer or a task per attempt.
    let deadlineScheduler: DeadlineScheduler<C>
    let random: SharedRandomGenerator
    let unixTime: @Sendable () -> Double

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - chain: the models to try, in order.
    ///   - backoff: the delay between attempts on the same model.
    ///   - honoursRetryAfter: whether `Retry-After` replaces that delay (default `true`).
    ///   - deadlines: the total deadline and per-attempt timeout.
    ///   - hedging: hedging policy (default off).
    ///   - breakers: the breakers, shared with every other executor of the process.
    ///   - budgets: the retry budgets, shared likewise.
    ///   - classifier: maps errors to failure classes.
    ///   - random: the jitter source.
    ///   - unixTime: the wall clock, for `Retry-After` HTTP dates.
    ///   - clock: the clock (the breakers' clock).
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when the chain or back-off cannot work.
    public init(
        chain: ModelChain,
        backoff: Backoff = Backoff(),
        honoursRetryAfter: Bool = true,
        deadlines: Deadlines = Deadlines.standard,
        hedging: HedgingPolicy = .off,
        breakers: CircuitBreakerRegistry<C>,
        budgets: RetryBudgetRegistry = RetryBudgetRegistry(),
        classifier: FailureClassifier = FailureClassifier(),
        random: SharedRandomGenerator = .system,
        unixTime: @escaping @Sendable () -> Double = systemUnixTime,
        clock: C
    ) throws(ResilienceError) {
        try chain.validate()
        try backoff.validate()
        if hedging.isEnabled, case .fixed(let delay) = hedging.delay, delay < .zero {
            throw .invalid("hedging delay must not be negative, got \(delay)")
        }
        self.chain = chain
        self.backoff = backoff
        self.honoursRetryAfter = honoursRetryAfter
        self.deadlines = deadlines
        self.hedging = hedging
        self.breakers = breakers
        self.budgets = budgets
        self.classifier = classifier
        self.clock = clock
        self.deadlineScheduler = DeadlineScheduler(clock: clock)
        self.random = random
        self.unixTime = unixTime
    }

    /// Runs `operation` down the chain.
    ///
    /// - Parameter operation: one attempt on one model.
    /// - Returns: the value, the model that answered, every attempt, and whether a hedge ran.
    /// - Throws: the operation's own error when it must surface (committed, cancelled, not
    ///   failed over); ``ResilienceError/Code/deadlineExceeded`` when the deadline passed;
    ///   ``ResilienceError/Code/chainExhausted(tried:)`` when every model failed or was skipped.
    public func execute<T: Sendable>(
        _ operation: @escaping @Sendable (ModelChain.Model, AttemptContext) async throws -> T
    ) async throws -> ChainResult<T> {
        try await walk(chain, operation)  // validated when the executor was built
    }

    /// Runs `operation` down `chain` instead of the executor's own, with the same breakers,
    /// budgets, deadlines, back-off and hedging: for callers whose chain depends on the request
    /// (the model asked for, say), so that one long-lived executor (and its one deadline
    /// wake-up) serves every call.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when `chain` cannot work,
    ///   then as ``execute(_:)``.
    public func execute<T: Sendable>(
        chain: ModelChain, _ operation: @escaping @Sendable (ModelChain.Model, AttemptContext) async throws -> T
    ) async throws -> ChainResult<T> {
        try chain.validate()
        return try await walk(chain, operation)
    }

    private func walk<T: Sendable>(
        _ chain: ModelChain, _ operation: @escaping @Sendable (ModelChain.Model, AttemptContext) async throws -> T
    ) async throws -> ChainResult<T> {
        var run = Run<T>(
            executor: self, chain: chain, operation: operation, call: CallState(),
            totalDeadline: deadlines.total.map { clock.now.advanced(by: $0) })
        return try await run.walk()
    }
}
