import Canary

/// The circuit breaker's logic as a plain value: it reads `now`, takes events, returns decisions.
///
/// It never sleeps and never reads a clock, so every rule is testable with a
/// hand-set instant; ``CircuitBreaker`` wraps it in a `Mutex` and supplies the
/// clock. Each event returns at most one ``CircuitBreakerTransition``, and a
/// transition is returned by exactly one event, so whoever performs the event
/// emits it exactly once.
///
/// Time is an ``Instant``: an offset from any fixed origin the caller picks
/// (``CircuitBreaker`` uses the clock's reading at creation). `now` is taken as
/// an autoclosure and evaluated only when a rule needs it, so the common path
/// (a closed breaker with a count window) never reads the clock at all. The type
/// is deliberately not generic over the clock: concrete code is what keeps a
/// breaker check in the tens of nanoseconds when called from other modules.
///
/// Leaving `open` for `halfOpen` happens lazily, on the first ``acquire(at:)``
/// after the open duration (as resilience4j does without its scheduler).
///
/// ```swift
/// var machine = try CircuitBreakerStateMachine(configuration: .init())
/// let now = CircuitBreakerStateMachine.Instant(offset: .seconds(12))
/// if case .permitted(let permit) = machine.acquire(at: now()).decision {
///     let transition = machine.onFailure(permit, .serverError, duration: .seconds(1), at: now())
///     // nil until the window judges the upstream unhealthy
/// }
/// ```
public struct CircuitBreakerStateMachine: Sendable {
    /// A transition of this machine.
    public typealias Transition = CircuitBreakerTransition<Instant>

    /// The answer to ``acquire(at:)``.
    public enum Decision: Sendable, Hashable {
        /// Make the call, then report its outcome with the permit.
        case permitted(CircuitBreakerPermit)
        /// Do not make the call; `retryAt` is when a call may be let through (`nil`: unknown).
        case rejected(retryAt: Instant?)
    }

    private enum Mode: Sendable {
        case closed
        case open(until: Instant)
        case halfOpen
        case forcedOpen
        case disabled
    }

    private struct Trial: Sendable {
        var issued = 0
        var finished = 0
        var failures = 0
        var slow = 0
        var holdUntil: Instant?
    }

    /// The configuration.
    public let configuration: CircuitBreakerConfiguration
    private var mode: Mode = .closed
    private var window: OutcomeWindow
    private var trial = Trial()
    private var consecutiveFailures = 0
    private var openings = 0
    private var epoch: UInt64 = 0
    private var sequence: UInt64 = 0
    private var counters = CircuitBreakerMetrics.Counters()

    /// Creates a closed breaker.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when the configuration cannot work.
    public init(configuration: CircuitBreakerConfiguration) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.window = OutcomeWindow(configuration.window)
    }

    /// The current state (an elapsed open state reads `open` until the next acquire).
    public var state: CircuitState {
        switch mode {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        case .forcedOpen: .forcedOpen
        case .disabled: .disabled
        }
    }

    /// When an open breaker lets a trial call through again.
    public var openUntil: Instant? {
        if case .open(let until) = mode { return until }
        return nil
    }

    /// Asks to make a call.
    ///
    /// - Returns: the decision, and the transition open → half-open when this acquire caused it.
    public mutating func acquire(at now: @autoclosure () -> Instant) -> (decision: Decision, transition: Transition?) {
        switch mode {
        case .closed, .disabled:
            return (.permitted(CircuitBreakerPermit(epoch: epoch, isTrial: false)), nil)
        case .forcedOpen:
            counters.notPermitted += 1
            return (.rejected(retryAt: nil), nil)
        case .open(let until):
            guard now() >= until else {
                counters.notPermitted += 1
                return (.rejected(retryAt: until), nil)
            }
            let transition = move(to: .halfOpen, at: now(), reason: .openDurationElapsed)
            trial.issued = 1
            return (.permitted(CircuitBreakerPermit(epoch: epoch, isTrial: true)), transition)
        case .halfOpen:
            guard trial.issued < configuration.halfOpenTrialCalls else {
                counters.notPermitted += 1
                return (.rejected(retryAt: nil), nil)
            }
            trial.issued += 1
            return (.permitted(CircuitBreakerPermit(epoch: epoch, isTrial: true)), nil)
        }
    }

    /// Reports a successful call.
    ///
    /// - Parameters:
    ///   - permit: the permit the call was made with.
    ///   - duration: how long the call took (a success at least `slowCallDuration` long is slow).
    ///   - now: the current instant.
    /// - Returns: the transition this outcome caused, if any.
    public mutating func onSuccess(
        _ permit: CircuitBreakerPermit, duration: Duration, at now: @autoclosure () -> Instant
    ) -> Transition? {
        guard permit.epoch == epoch else { return nil }
        let slow = duration >= configuration.slowCallDuration
        switch mode {
        case .closed:
            counters.successful += 1
            consecutiveFailures = 0
            window.record(failure: false, slow: slow, at: now())
            // A window without failures or slow calls cannot trip: skip judging (the hot path).
            if window.isCleanCountWindow { return nil }
            // Judged on successes too: the success that brings the window to `minimumCalls` may reveal a high rate.
            return judgeWindow(at: now())
        case .halfOpen:
            counters.successful += 1
            trial.finished += 1
            if slow { trial.slow += 1 }
            return judgeTrials(at: now())
        case .open, .forcedOpen, .disabled:
            return nil
        }
    }

    /// Reports a failed call.
    ///
    /// Classes not in ``CircuitBreakerConfiguration/recordedClasses`` are treated as
    /// ``onIgnored(_:)``.
    ///
    /// - Parameters:
    ///   - permit: the permit the call was made with.
    ///   - failureClass: the class of the failure.
    ///   - duration: how long the call took.
    ///   - retryAfterUntil: the instant the upstream asked to wait until, if it did.
    ///   - now: the current instant.
    /// - Returns: the transition this outcome caused, if any.
    public mutating func onFailure(
        _ permit: CircuitBreakerPermit,
        _ failureClass: FailureClass,
        duration: Duration,
        retryAfterUntil: Instant? = nil,
        at now: @autoclosure () -> Instant
    ) -> Transition? {
        guard configuration.recordedClasses.contains(failureClass) else {
            onIgnored(permit)
            return nil
        }
        guard permit.epoch == epoch else { return nil }
        let slow = duration >= configuration.slowCallDuration
        let hold = configuration.holdsOpenOnRetryAfter ? retryAfterUntil.flatMap { $0 > now() ? $0 : nil } : nil
        switch mode {
        case .closed:
            counters.failed += 1
            consecutiveFailures += 1
            window.record(failure: true, slow: slow, at: now())
            // A rate limit with `Retry-After` is the upstream saying "not before then" to every
            // caller: it holds the breaker open at once. On a server error (a stray 503 or 529)
            // it does not trip the breaker by itself (one failed call among many successes must
            // not shut the whole path); it only sets how long a trip lasts.
            if let hold, failureClass == .rateLimited {
                return move(to: .open(until: hold), at: now(), reason: .retryAfter)
            }
            if let threshold = configuration.consecutiveFailureThreshold, consecutiveFailures >= threshold {
                return lasting(open(at: now(), reason: .consecutiveFailures(consecutiveFailures)), atLeastUntil: hold)
            }
            return judgeWindow(at: now()).map { lasting($0, atLeastUntil: hold) }
        case .halfOpen:
            counters.failed += 1
            trial.finished += 1
            trial.failures += 1
            if slow { trial.slow += 1 }
            if let hold { trial.holdUntil = max(trial.holdUntil ?? hold, hold) }
            return judgeTrials(at: now())
        case .open, .forcedOpen, .disabled:
            return nil
        }
    }

    /// Reports a call whose outcome says nothing about the upstream (client error, cancellation):
    /// a half-open trial permit is given back so another trial call can take its place.
    public mutating func onIgnored(_ permit: CircuitBreakerPermit) {
        guard permit.epoch == epoch else { return }
        counters.ignored += 1
        if case .halfOpen = mode, permit.isTrial, trial.issued > trial.finished {
            trial.issued -= 1
        }
    }

    /// Holds the breaker open until `until` (an upstream's `Retry-After`), whatever the window says.
    ///
    /// An open breaker is extended (never shortened) without a new transition;
    /// forced-open and disabled breakers are left alone.
    public mutating func holdOpen(until: Instant, at now: @autoclosure () -> Instant) -> Transition? {
        switch mode {
        case .closed, .halfOpen:
            guard until > now() else { return nil }
            return move(to: .open(until: until), at: now(), reason: .retryAfter)
        case .open(let current):
            if until > current { mode = .open(until: until) }
            return nil
        case .forcedOpen, .disabled:
            return nil
        }
    }

    /// Forces the breaker open: every call is rejected until ``reset(at:)``.
    public mutating func forceOpen(at now: @autoclosure () -> Instant) -> Transition? {
        if case .forcedOpen = mode { return nil }
        return move(to: .forcedOpen, at: now(), reason: .forcedOpen)
    }

    /// Disables the breaker: every call is permitted and nothing recorded until ``reset(at:)``.
    public mutating func disable(at now: @autoclosure () -> Instant) -> Transition? {
        if case .disabled = mode { return nil }
        return move(to: .disabled, at: now(), reason: .disabled)
    }

    /// Resets the breaker to closed with an empty window.
    public mutating func reset(at now: @autoclosure () -> Instant) -> Transition? {
        if case .closed = mode {
            window.reset()
            consecutiveFailures = 0
            openings = 0
            return nil
        }
        openings = 0
        return move(to: .closed, at: now(), reason: .reset)
    }

    /// Counts and rates for metrics.
    public func metrics(at now: @autoclosure () -> Instant) -> CircuitBreakerMetrics {
        let totals = window.totals(at: now())
        let judged = totals.calls > 0
        return CircuitBreakerMetrics(
            state: state,
            bufferedCalls: totals.calls,
            bufferedFailures: totals.failures,
            bufferedSlowCalls: totals.slow,
            failureRate: judged ? Double(totals.failures) / Double(totals.calls) : nil,
            slowCallRate: judged ? Double(totals.slow) / Double(totals.calls) : nil,
            consecutiveFailures: consecutiveFailures,
            trialCallsInFlight: state == .halfOpen ? trial.issued - trial.finished : 0,
            counters: counters,
            transitions: sequence
        )
    }

    // MARK: - Judging

    private mutating func judgeWindow(at now: @autoclosure () -> Instant) -> Transition? {
        let totals = window.totals(at: now())
        guard totals.calls >= configuration.minimumCalls else { return nil }
        let failureRate = Double(totals.failures) / Double(totals.calls)
        if failureRate >= configuration.failureRateThreshold {
            return open(at: now(), reason: .failureRate(failureRate))
        }
        let slowRate = Double(totals.slow) / Double(totals.calls)
        if slowRate >= configuration.slowCallRateThreshold { return open(at: now(), reason: .slowCallRate(slowRate)) }
        return nil
    }

    private mutating func judgeTrials(at now: @autoclosure () -> Instant) -> Transition? {
        let trials = configuration.halfOpenTrialCalls
        guard trial.finished >= trials else { return nil }
        let failureRate = Double(trial.failures) / Double(trials)
        let slowRate = Double(trial.slow) / Double(trials)
        guard failureRate >= configuration.failureRateThreshold || slowRate >= configuration.slowCallRateThreshold
        else {
            openings = 0
            return move(to: .closed, at: now(), reason: .trialCallsSucceeded)
        }
        let transition = open(at: now(), reason: .trialCallsFailed(failureRate: failureRate, slowCallRate: slowRate))
        return lasting(transition, atLeastUntil: trial.holdUntil)
    }

    /// Keeps a breaker that just opened open at least until `hold` (an upstream's `Retry-After`).
    private mutating func lasting(_ transition: Transition, atLeastUntil hold: Instant?) -> Transition {
        guard let hold, case .open(let until) = mode, hold > until else { return transition }
        mode = .open(until: hold)
        return Transition(
            from: transition.from, to: transition.to, at: transition.at, reason: transition.reason,
            openUntil: hold, sequence: transition.sequence)
    }

    private mutating func open(at now: Instant, reason: Transition.Reason) -> Transition {
        openings += 1
        let duration = configuration.openDuration.duration(forOpening: openings)
        return move(to: .open(until: now.advanced(by: max(.zero, duration))), at: now, reason: reason)
    }

    private mutating func move(to next: Mode, at now: Instant, reason: Transition.Reason) -> Transition {
        let from = state
        mode = next
        epoch &+= 1
        sequence += 1
        window.reset()
        trial = Trial()
        consecutiveFailures = 0
        return Transition(from: from, to: state, at: now, reason: reason, openUntil: openUntil, sequence: sequence)
    }
}
