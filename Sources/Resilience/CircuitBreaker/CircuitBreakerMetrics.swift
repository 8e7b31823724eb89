/// A circuit breaker's counts and rates, for metrics and the dashboard.
///
/// ```swift
/// let metrics = breaker.metrics
/// print(metrics.state, metrics.failureRate ?? 0, metrics.counters.notPermitted)
/// ```
public struct CircuitBreakerMetrics: Sendable, Hashable {
    /// Cumulative counts since the breaker was created.
    public struct Counters: Sendable, Hashable {
        /// Calls reported successful.
        public var successful = 0
        /// Calls reported failed (recorded classes only).
        public var failed = 0
        /// Calls reported with an ignored outcome.
        public var ignored = 0
        /// Calls rejected.
        public var notPermitted = 0
    }

    /// The state.
    public var state: CircuitState
    /// Calls in the current window.
    public var bufferedCalls: Int
    /// Failures in the current window.
    public var bufferedFailures: Int
    /// Slow calls in the current window.
    public var bufferedSlowCalls: Int
    /// Failures / calls in the window, `nil` when empty.
    public var failureRate: Double?
    /// Slow calls / calls in the window, `nil` when empty.
    public var slowCallRate: Double?
    /// Failures in a row.
    public var consecutiveFailures: Int
    /// Half-open trial calls permitted and not yet finished.
    public var trialCallsInFlight: Int
    /// Cumulative counts.
    public var counters: Counters
    /// Transitions so far.
    public var transitions: UInt64
}
