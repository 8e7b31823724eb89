public import Canary

extension CircuitBreakerStateMachine {
    /// A point in a circuit breaker's time: an offset from an origin fixed by the caller.
    ///
    /// ``CircuitBreaker`` uses its clock's reading at creation as the origin and
    /// converts back to the clock's instants in the transitions it emits; tests
    /// use offsets directly.
    ///
    /// ```swift
    /// let tenSecondsIn = CircuitBreakerStateMachine.Instant(offset: .seconds(10))
    /// ```
    public typealias Instant = OffsetInstant
}
