import Canary
import Synchronization

/// A thread-safe circuit breaker for one upstream (or one model of an upstream).
///
/// A thin `Sendable` wrapper around ``CircuitBreakerStateMachine``: it holds the
/// machine in a `Mutex`, reads the injected clock, and delivers every
/// transition exactly once to the observer (outside the lock, ordered by
/// ``CircuitBreakerTransition/sequence``).
///
/// Use ``execute(classifier:_:)`` for the whole dance, or ``acquire()`` and the
/// `on…` methods when the call is made elsewhere (the executors do this).
///
/// ```swift
/// let breaker = try CircuitBreaker(name: "anthropic/claude-sonnet-4.5") { transition in
///     metrics.record(transition)
/// }
/// do {
///     let reply = try await breaker.execute { try await client.complete(request) }
/// } catch let error as ResilienceError {
///     if case .circuitOpen(let retryAfter) = error.code { /* fail over; retry after `retryAfter` */ }
/// }
/// ```
public final class CircuitBreaker<C: Clock>: Sendable where C.Duration == Duration {
    /// A transition of this breaker.
    public typealias Transition = CircuitBreakerTransition<C.Instant>

    /// A name for logs and metrics, e.g. `"openai/gpt-4.1"`.
    public let name: String
    /// The clock outcomes are timed and open durations measured with.
    public let clock: C
    /// The locked state machine and a clock reading in the machine's time: concrete, not generic
    /// over `C`, so the hot path is specialised code even when called from other modules.
    private let core: CircuitBreakerCore
    private let observer: (@Sendable (Transition) -> Void)?
    /// The clock's reading at creation: the state machine's time is measured from it.
    private let origin: C.Instant

    /// Creates a closed breaker.
    ///
    /// - Parameters:
    ///   - name: a name for logs and metrics.
    ///   - configuration: how the breaker judges (documented defaults).
    ///   - clock: the clock to read.
    ///   - observer: called once per transition, outside the breaker's lock.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when the configuration cannot work.
    public init(
        name: String = "",
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        clock: C,
        observer: (@Sendable (Transition) -> Void)? = nil
    ) throws(ResilienceError) {
        self.name = name
        self.clock = clock
        let origin = clock.now
        self.origin = origin
        self.core = CircuitBreakerCore(
            machine: try CircuitBreakerStateMachine(configuration: configuration),
            now: { CircuitBreakerStateMachine.Instant(offset: origin.duration(to: clock.now)) })
        self.observer = observer
    }

    /// The configuration.
    public var configuration: CircuitBreakerConfiguration { core.machine.withLock { $0.configuration } }

    /// The current state.
    public var state: CircuitState { core.machine.withLock { $0.state } }

    /// Counts and rates for metrics.
    public var metrics: CircuitBreakerMetrics {
        let now = machineNow()
        return core.machine.withLock { $0.metrics(at: now) }
    }

    /// The machine's time now. Read lazily by the machine, only when a rule needs it.
    private func machineNow() -> CircuitBreakerStateMachine.Instant {
        core.now()
    }

    private func emit(_ transition: CircuitBreakerStateMachine.Transition?) {
        guard let transition, let observer else { return }
        observer(
            Transition(
                from: transition.from, to: transition.to, at: origin.advanced(by: transition.at.offset),
                reason: transition.reason, openUntil: transition.openUntil.map { origin.advanced(by: $0.offset) },
                sequence: transition.sequence))
    }

    /// Asks to make a call.
    ///
    /// - Returns: a permit to hand back with the outcome.
    /// - Throws: ``ResilienceError/Code/circuitOpen(retryAfter:)`` carrying how long until a call may
    ///   be let through again (`nil` when unknown).
    public func acquire() throws(ResilienceError) -> CircuitBreakerPermit {
        let (decision, transition) = core.acquire()
        if transition != nil { emit(transition) }
        switch decision {
        case .permitted(let permit):
            return permit
        case .rejected(let retryAt):
            let now = machineNow()
            throw ResilienceError(.circuitOpen(retryAfter: retryAt.map { max(.zero, now.duration(to: $0)) }))
        }
    }

    /// Reports a successful call.
    ///
    /// - Parameters:
    ///   - permit: the permit from ``acquire()``.
    ///   - duration: how long the call took.
    public func onSuccess(_ permit: CircuitBreakerPermit, duration: Duration) {
        if let transition = core.onSuccess(permit, duration: duration) { emit(transition) }
    }

    /// Reports a failed call (ignored when its class is not recorded).
    ///
    /// - Parameters:
    ///   - permit: the permit from ``acquire()``.
    ///   - failureClass: the class of the failure.
    ///   - duration: how long the call took.
    ///   - retryAfter: the upstream's wait, if it sent one; holds the breaker open that long when
    ///     ``CircuitBreakerConfiguration/holdsOpenOnRetryAfter`` is set.
    public func onFailure(
        _ permit: CircuitBreakerPermit,
        _ failureClass: FailureClass,
        duration: Duration,
        retryAfter: Duration? = nil
    ) {
        let now = machineNow()
        let until = retryAfter.map { now.advanced(by: $0) }
        emit(
            core.machine.withLock {
                $0.onFailure(permit, failureClass, duration: duration, retryAfterUntil: until, at: now)
            })
    }

    /// Reports a call whose outcome says nothing about the upstream (client error, cancellation).
    public func onIgnored(_ permit: CircuitBreakerPermit) {
        core.machine.withLock { $0.onIgnored(permit) }
    }

    /// Holds the breaker open for `duration` from now (an upstream's `Retry-After`).
    public func holdOpen(for duration: Duration) {
        let now = machineNow()
        emit(core.machine.withLock { $0.holdOpen(until: now.advanced(by: duration), at: now) })
    }

    /// Forces the breaker open until ``reset()``.
    public func forceOpen() {
        emit(core.machine.withLock { $0.forceOpen(at: machineNow()) })
    }

    /// Disables the breaker (everything permitted, nothing recorded) until ``reset()``.
    public func disable() {
        emit(core.machine.withLock { $0.disable(at: machineNow()) })
    }

    /// Resets the breaker to closed with an empty window.
    public func reset() {
        emit(core.machine.withLock { $0.reset(at: machineNow()) })
    }

    /// Runs `operation` through the breaker: acquire, time, classify, report.
    ///
    /// - Parameters:
    ///   - classifier: maps the operation's errors to failure classes.
    ///   - unixTime: the wall clock, read only to turn a `Retry-After` HTTP date into a wait.
    ///   - operation: the call.
    /// - Returns: the operation's value.
    /// - Throws: ``ResilienceError/Code/circuitOpen(retryAfter:)`` without calling `operation`
    ///   when rejected; otherwise the operation's own error, unchanged.
    public func execute<T>(
        classifier: FailureClassifier = FailureClassifier(),
        unixTime: @Sendable () -> Double = systemUnixTime,
        _ operation: () async throws -> T
    ) async throws -> T {
        let permit = try acquire()
        let start = clock.now
        do {
            let value = try await operation()
            onSuccess(permit, duration: start.duration(to: clock.now))
            return value
        } catch {
            let failureClass = Task.isCancelled ? .cancelled : classifier.classify(error)
            let wait = classifier.retryAfter(of: error)?.delay(atUnixTime: unixTime())
            onFailure(permit, failureClass, duration: start.duration(to: clock.now), retryAfter: wait)
            throw error
        }
    }
}

extension CircuitBreaker where C == ContinuousClock {
    /// Creates a closed breaker on the continuous clock.
    ///
    /// ```swift
    /// let breaker = try CircuitBreaker(name: "google/gemini-2.5-flash")
    /// ```
    public convenience init(
        name: String = "",
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        observer: (@Sendable (Transition) -> Void)? = nil
    ) throws(ResilienceError) {
        try self.init(name: name, configuration: configuration, clock: ContinuousClock(), observer: observer)
    }
}
