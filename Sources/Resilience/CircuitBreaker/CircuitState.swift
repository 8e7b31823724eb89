/// The state of a circuit breaker.
///
/// ```
///            failure rate / slow-call rate / K consecutive failures / Retry-After
///   closed ─────────────────────────────────────────────────────────────────▶ open
///     ▲                                                                       │
///     │ N trial calls judged healthy        open duration elapsed (lazily, on │
///     └──────────────── half-open ◀──────── the next acquire)                 │
///                          │ N trial calls judged unhealthy                   │
///                          └────────────────────────────────────────────────▶ open
/// ```
/// `forcedOpen` (rejects everything) and `disabled` (permits everything, records
/// nothing) are set and left by an operator.
public enum CircuitState: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Calls flow; outcomes are recorded in the window.
    case closed
    /// Calls are rejected until the open duration (or a Retry-After) has passed.
    case open
    /// A limited number of trial calls flow; the rest are rejected.
    case halfOpen = "half_open"
    /// Rejects every call until reset by an operator.
    case forcedOpen = "forced_open"
    /// Permits every call and records nothing, until reset by an operator.
    case disabled

    public var description: String { rawValue }
}
