/// The form of a `Retry-After` header.
public enum RetryAfterFormat: String, Sendable, Hashable, CaseIterable {
    /// `Retry-After: 2`.
    case seconds
    /// `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`.
    case httpDate = "http-date"
}
