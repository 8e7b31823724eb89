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
    public struct Instant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
        /// Time since the origin.
        public var offset: Duration

        /// Creates the instant `offset` after the origin.
        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public var description: String { "t+\(offset)" }
    }
}
