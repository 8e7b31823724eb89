/// Proof that a circuit breaker let a call through; hand it back with the call's outcome.
///
/// A permit belongs to the breaker state it was issued in: an outcome reported
/// with a permit from an earlier state (say, a slow call that started before the
/// breaker opened) is not counted against the current state, so half-open trial
/// calls are judged only by the trial calls.
///
/// ```swift
/// let permit = try breaker.acquire()
/// breaker.onSuccess(permit, duration: .milliseconds(420))
/// ```
public struct CircuitBreakerPermit: Sendable, Hashable {
    let epoch: UInt64
    /// Whether the call is one of the half-open trial calls.
    public let isTrial: Bool
}
