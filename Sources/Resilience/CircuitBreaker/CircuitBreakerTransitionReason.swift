/// Why a breaker changed state.
public enum CircuitBreakerTransitionReason: Sendable, Hashable {
    /// The failure rate over the window reached the threshold.
    case failureRate(Double)
    /// The slow-call rate over the window reached the threshold.
    case slowCallRate(Double)
    /// This many failures in a row.
    case consecutiveFailures(Int)
    /// An upstream's `Retry-After` holds the breaker open until ``CircuitBreakerTransition/openUntil``.
    case retryAfter
    /// The open duration elapsed; trial calls may go through.
    case openDurationElapsed
    /// All trial calls finished and were judged healthy.
    case trialCallsSucceeded
    /// All trial calls finished and were judged unhealthy.
    case trialCallsFailed(failureRate: Double, slowCallRate: Double)
    /// An operator forced the breaker open.
    case forcedOpen
    /// An operator disabled the breaker.
    case disabled
    /// An operator reset the breaker to closed.
    case reset
}
