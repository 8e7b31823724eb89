/// An upstream's `Retry-After`: either a delay or an absolute HTTP date.
///
/// RFC 9110 §10.2.3 allows both forms: `Retry-After: 120` and
/// `Retry-After: Fri, 31 Dec 1999 23:59:59 GMT`. An HTTP date is kept as
/// seconds since the Unix epoch so that this type needs no wall clock of its
/// own; ``delay(atUnixTime:)`` turns it into a wait given the current time. Resilience reads
/// the header (`RetryAfter(headerValue:)`, with its HTTP-date parser).
public enum RetryAfter: Sendable, Hashable, Codable {
    /// Wait this long.
    case delay(Duration)
    /// Wait until this instant (seconds since 1970-01-01T00:00:00Z).
    case date(unixSeconds: Int64)

    /// How long to wait from the given wall-clock time.
    ///
    /// - Parameter now: the current time as seconds since the Unix epoch.
    /// - Returns: the wait, never negative (a date in the past means "now").
    public func delay(atUnixTime now: Double) -> Duration {
        switch self {
        case .delay(let duration):
            return max(.zero, duration)
        case .date(let unixSeconds):
            let seconds = Double(unixSeconds) - now
            return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
    }
}
