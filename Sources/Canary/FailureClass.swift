/// The class of a failed LLM call: the one table every layer of Shepherd uses.
///
/// The health window counts failures by class, the retry policy retries only
/// retryable classes, the router fails over only failover classes, and the
/// metrics label outcomes by class. Keeping the table here, at the bottom of the
/// module graph, means there is exactly one answer to "what kind of failure was
/// this?" everywhere.
///
/// | class         | typical cause                               | retried | failed over | counts against the path |
/// |---------------|---------------------------------------------|---------|-------------|-------------------------|
/// | `timeout`     | per-attempt timeout, upstream 408           | yes     | yes         | yes                     |
/// | `rateLimited` | 429, with its Retry-After                   | yes     | yes         | yes                     |
/// | `serverError` | 500, 502, 503, 504, 529 and other 5xx; an unreadable answer | yes | yes      | yes                     |
/// | `connection`  | refused, reset, connect timeout, stream cut | yes     | yes         | yes                     |
/// | `tls`         | handshake failed, certificate not trusted   | no      | yes         | yes (and alarmed)       |
/// | `dns`         | the upstream's host name does not resolve   | no      | yes         | yes (and alarmed)       |
/// | `authError`   | 401, 403: a configuration problem           | no      | no          | yes (and alarmed)       |
/// | `clientError` | 400, 404, 409, 413, 422: the caller's fault | no      | no          | no (recorded apart)     |
/// | `cancelled`   | the caller went away                        | no      | no          | no (recorded apart)     |
/// | `other`       | anything unrecognised                       | no      | no          | yes                     |
///
/// A TLS or DNS failure will not go away on a retry (a certificate that does not verify now
/// will not verify in 100 ms), so it is not retried on the same upstream; it fails over at
/// once, and like an auth error it is a configuration problem the operator is told about
/// (``isConfigurationProblem``).
///
/// An unreadable answer (a 200 with HTML, truncated JSON, an empty body, the other API's
/// shape, no choices; complete or streamed) is a `serverError`, as a gateway answers 502 Bad
/// Gateway for an invalid answer from its upstream: the relay's garbage fails over to legacy
/// and counts against the relay. It is not retried on the same upstream by default, since
/// the upstream may have generated (and billed) it: see
/// `ClassifiedFailure.upstreamMayHaveCompleted` (in Resilience).
///
/// An auth error counts against the path because a wrong key on the relay makes
/// the relay useless for every caller: the scorer must see it and roll back.
public enum FailureClass: String, Sendable, Hashable, CaseIterable, Codable {
    case timeout
    case rateLimited
    case serverError
    case connection
    /// The TLS handshake failed: a certificate not trusted, expired or for another name, or no
    /// common protocol. New classes are appended to stored counts by name, so old records decode.
    case tls
    /// The upstream's host name did not resolve.
    case dns
    case authError
    case clientError
    case cancelled
    case other

    /// Classifies an HTTP status code returned by an upstream.
    ///
    /// - Parameter httpStatus: the status code of the upstream's answer.
    /// - Returns: the class, or `nil` for a success (1xx–3xx).
    ///
    /// ```swift
    /// FailureClass(httpStatus: 429)  // .rateLimited
    /// FailureClass(httpStatus: 529)  // .serverError (Anthropic "overloaded")
    /// FailureClass(httpStatus: 200)  // nil
    /// ```
    public init?(httpStatus: Int) {
        switch httpStatus {
        case ..<400: return nil
        case 401, 403: self = .authError
        case 408: self = .timeout
        case 429: self = .rateLimited
        case 400..<500: self = .clientError
        case 500..<600: self = .serverError
        default: self = .other
        }
    }

    /// Whether a call that failed this way may be tried again on the same upstream.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .rateLimited, .serverError, .connection: true
        case .tls, .dns, .authError, .clientError, .cancelled, .other: false
        }
    }

    /// Whether a relay failure of this class is answered by trying the legacy path.
    public var isFailover: Bool { isRetryable || self == .tls || self == .dns }

    /// Whether this class means the path is misconfigured (its key, its certificate trust, its
    /// host name) rather than having a bad moment: alarmed loudly, with the cause.
    public var isConfigurationProblem: Bool {
        switch self {
        case .authError, .tls, .dns: true
        default: false
        }
    }

    /// Whether this class counts as a failure of the path in the health window.
    ///
    /// Client errors and cancellations are the caller's doing and are recorded
    /// apart; they never make a path look unhealthy.
    public var countsAgainstPath: Bool {
        switch self {
        case .clientError, .cancelled: false
        default: true
        }
    }

    /// The classes that count against a path, in display order.
    public static let pathFailures: [FailureClass] = allCases.filter(\.countsAgainstPath)
}
