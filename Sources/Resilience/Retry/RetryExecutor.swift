import Canary

/// Runs an `async throws` operation with retries, back-off, `Retry-After`, a retry budget,
/// an optional circuit breaker and deadlines, in virtual or real time.
///
/// For each attempt, in order: the breaker is asked (a rejection fails at once
/// with ``ResilienceError/Code/circuitOpen(retryAfter:)``); the operation runs,
/// racing the per-attempt timeout and the total deadline; its outcome is
/// reported to the breaker and the budget. A failure is retried only when:
///
/// - the attempt did not commit (``AttemptContext/commit()``): after that the
///   error surfaces as it is;
/// - its class is retryable (never `cancelled`, `clientError`, `authError`, `other`:
///   those errors are rethrown unchanged);
/// - the upstream cannot have carried out the call already (a timeout after the request
///   was sent is rethrown unchanged), unless ``RetryPolicy/retriesPossiblyCompletedCalls``;
/// - attempts remain (``RetryPolicy/maxAttempts`` counts the first call; when
///   they are spent the last error is rethrown unchanged);
/// - the budget allows it (otherwise ``ResilienceError/Code/budgetExhausted``);
/// - the wait fits before the total deadline: the upstream's `Retry-After` used as
///   given (otherwise ``ResilienceError/Code/retryAfterExceedsDeadline(retryAfter:)``),
///   else the jittered back-off (otherwise ``ResilienceError/Code/deadlineExceeded``).
///
/// Timeouts cancel the attempt's task: the operation must honour cancellation (as
/// AsyncHTTPClient does), since structured concurrency waits for it to return.
///
/// ```swift
/// let executor = try RetryExecutor(
///     policy: RetryPolicy(maxAttempts: 3),
///     deadlines: try Deadlines(total: .seconds(30), perAttempt: .seconds(10)),
///     budget: try RetryBudget(),
///     breaker: try CircuitBreaker(name: "openai"))
/// let reply = try await executor.execute { context in
///     try await client.complete(request)     // throws ClassifiedFailure errors
/// }
/// ```
public struct RetryExecutor<C: DeadlineClock>: Sendable where C.Duration == Duration {
    /// The retry policy.
    public let policy: RetryPolicy
    /// The deadlines.
    public let deadlines: Deadlines
    /// The upstream's retry budget, if any.
    public let budget: RetryBudget?
    /// The upstream's circuit breaker, if any (it must read the same clock).
    public let breaker: CircuitBreaker<C>?
    /// Maps errors to failure classes.
    public let classifier: FailureClassifier
    /// The clock attempts are timed and back-off slept on.
    public let clock: C
    /// Every call's attempt deadlines: one wake-up on the clock rather than a timer or a task per attempt.
    let deadlineScheduler: DeadlineScheduler<C>
    private let random: SharedRandomGenerator
    private let unixTime: @Sendable () -> Double

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - policy: attempts, back-off, `Retry-After` (documented defaults).
    ///   - deadlines: total deadline and per-attempt timeout (default 120 s and 60 s).
    ///   - budget: the upstream's retry budget; `nil` for none.
    ///   - breaker: the upstream's circuit breaker; `nil` for none.
    ///   - classifier: maps errors to failure classes.
    ///   - random: the jitter source (default: the system generator).
    ///   - unixTime: the wall clock, read only to turn `Retry-After` HTTP dates into waits.
    ///   - clock: the clock to time and sleep on.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when the policy cannot work.
    public init(
        policy: RetryPolicy = RetryPolicy(),
        deadlines: Deadlines = Deadlines.standard,
        budget: RetryBudget? = nil,
        breaker: CircuitBreaker<C>? = nil,
        classifier: FailureClassifier = FailureClassifier(),
        random: SharedRandomGenerator = .system,
        unixTime: @escaping @Sendable () -> Double = systemUnixTime,
        clock: C
    ) throws(ResilienceError) {
        try policy.validate()
        self.policy = policy
        self.deadlines = deadlines
        self.budget = budget
        self.breaker = breaker
        self.classifier = classifier
        self.random = random
        self.unixTime = unixTime
        self.clock = clock
        self.deadlineScheduler = DeadlineScheduler(clock: clock)
    }

    /// Runs `operation` until it succeeds or the policy gives up.
    ///
    /// - Parameter operation: one attempt; it receives the attempt's context (number, commit).
    /// - Returns: the value of the first successful attempt.
    /// - Throws: the operation's own error when the failure is not retryable, the attempts are
    ///   spent, the attempt committed, or the call was cancelled; a ``ResilienceError`` when the
    ///   layer gave up for its own reason.
    public func execute<T: Sendable>(
        _ operation: @escaping @Sendable (AttemptContext) async throws -> T
    ) async throws -> T {
        let start = clock.now
        let totalDeadline = deadlines.total.map { start.advanced(by: $0) }
        let call = CallState()
        let runner = AttemptRunner(scheduler: deadlineScheduler)
        var previousDelay: Duration?
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let permit = try breaker?.acquire()
            let attemptStart = clock.now
            let result = await runner.run(
                context: AttemptContext(attempt: attempt, call: call),
                perAttemptTimeout: deadlines.perAttempt,
                totalDeadline: totalDeadline,
                killable: false,
                operation: operation)
            let elapsed = attemptStart.duration(to: clock.now)
            let error: any Error
            switch result {
            case .success(let value):
                if let permit { breaker?.onSuccess(permit, duration: elapsed) }
                budget?.recordSuccess()
                return value
            case .failure(let failure):
                error = failure
            }

            // Read once: the error's decided outcome says everything below.
            let failure = classifier.outcome(of: error)
            let failureClass = Task.isCancelled ? .cancelled : failure.failureClass
            let retryAfter = failure.retryAfter.map { $0.delay(atUnixTime: unixTime()) }
            let cutByDeadline = AttemptRunner<C>.cutByTotalDeadline(error)
            if let permit {
                // An attempt cut short by the total deadline says little about the upstream.
                if cutByDeadline {
                    breaker?.onIgnored(permit)
                } else {
                    breaker?.onFailure(permit, failureClass, duration: elapsed, retryAfter: retryAfter)
                }
            }
            if failureClass.isRetryable, !cutByDeadline { budget?.recordFailure() }

            if call.committedAttempt != nil { throw error }  // streamed to the caller: surface as it is
            if failureClass == .cancelled || !failureClass.isRetryable || cutByDeadline { throw error }
            if !policy.retriesPossiblyCompletedCalls, failure.upstreamMayHaveCompleted { throw error }
            if attempt >= policy.maxAttempts { throw error }
            if let budget, !budget.tryRetry() {
                throw ResilienceError(.budgetExhausted, underlying: error, underlyingClass: failureClass)
            }

            let delay: Duration
            if policy.honoursRetryAfter, let retryAfter {
                if let totalDeadline, clock.now.advanced(by: retryAfter) > totalDeadline {
                    throw ResilienceError(
                        .retryAfterExceedsDeadline(retryAfter: retryAfter), underlying: error,
                        underlyingClass: failureClass)
                }
                delay = retryAfter
            } else {
                var generator = random
                delay = policy.backoff.delay(forRetry: attempt, previous: previousDelay, using: &generator)
                previousDelay = delay
                if let totalDeadline, clock.now.advanced(by: delay) >= totalDeadline {
                    throw ResilienceError(.deadlineExceeded, underlying: error, underlyingClass: failureClass)
                }
            }
            if delay > .zero { try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil) }
            attempt += 1
        }
    }
}

extension RetryExecutor where C == ContinuousClock {
    /// Creates an executor on the continuous clock.
    ///
    /// ```swift
    /// let executor = try RetryExecutor(policy: RetryPolicy(maxAttempts: 4))
    /// ```
    public init(
        policy: RetryPolicy = RetryPolicy(),
        deadlines: Deadlines = Deadlines.standard,
        budget: RetryBudget? = nil,
        breaker: CircuitBreaker<ContinuousClock>? = nil,
        classifier: FailureClassifier = FailureClassifier(),
        random: SharedRandomGenerator = .system
    ) throws(ResilienceError) {
        try self.init(
            policy: policy, deadlines: deadlines, budget: budget, breaker: breaker, classifier: classifier,
            random: random, clock: ContinuousClock())
    }
}
