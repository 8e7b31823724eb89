import Canary

extension RetryAfter {
    /// Parses a `Retry-After` header value.
    ///
    /// Accepts delay-seconds (a non-negative integer, fractional seconds
    /// tolerated because some gateways send them), the IMF-fixdate form and the
    /// two obsolete forms RFC 9110 requires recipients to accept (RFC 850 and
    /// asctime).
    ///
    /// ```swift
    /// RetryAfter(headerValue: "3")                               // .delay(.seconds(3))
    /// RetryAfter(headerValue: "Sun, 06 Nov 1994 08:49:37 GMT")   // .date(unixSeconds: 784111777)
    /// RetryAfter(headerValue: "soon")                            // nil
    /// ```
    ///
    /// - Parameter headerValue: the raw header value.
    /// - Returns: `nil` when the value is neither a delay nor a date.
    public init?(headerValue: String) {
        let value = trimmingWhitespace(headerValue)
        if value.isEmpty { return nil }
        if value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let seconds = Double(value), seconds.isFinite, seconds >= 0 else { return nil }
            self = .delay(.milliseconds(Int64((seconds * 1000).rounded())))
            return
        }
        guard let unix = HTTPDate.parse(value) else { return nil }
        self = .date(unixSeconds: unix)
    }
}
