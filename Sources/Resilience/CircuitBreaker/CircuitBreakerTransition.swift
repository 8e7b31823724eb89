/// A change of a circuit breaker's state, emitted exactly once (for metrics and the dashboard).
///
/// ```swift
/// let breaker = try CircuitBreaker(name: "openai/gpt-4.1") { transition in
///     print("\(transition.from) → \(transition.to): \(transition.reason)")
/// }
/// ```
public struct CircuitBreakerTransition<Instant: InstantProtocol>: Sendable, Hashable
where Instant.Duration == Duration {
    /// Why a breaker changed state.
    public typealias Reason = CircuitBreakerTransitionReason

    /// The state left.
    public let from: CircuitState
    /// The state entered.
    public let to: CircuitState
    /// When the change happened, on the breaker's clock.
    public let at: Instant
    /// Why.
    public let reason: Reason
    /// When an open breaker lets a trial call through again (for `to == .open`).
    public let openUntil: Instant?
    /// The breaker's transition counter: 1 for its first transition, then consecutive.
    /// Observers called from several threads can order transitions by it.
    public let sequence: UInt64
}
