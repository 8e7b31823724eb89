public import Canary
public import Resilience

/// Why an upstream call failed, classified by Canary's ``FailureClass`` table.
///
/// An opaque struct with a ``Code`` (the AsyncHTTPClient `HTTPClientError`
/// pattern): what went wrong on the wire, the HTTP status and the upstream's
/// own message when there was an answer, and its `Retry-After` for rate
/// limits. It never contains the API key: the providers redact the configured
/// key from anything the upstream echoes back.
///
/// ```swift
/// do {
///     _ = try await provider.complete(request, context: CallContext())
/// } catch let error as ProviderError {
///     switch error.failureClass {
///     case .rateLimited: print("retry after", error.retryAfter as Any)
///     case .authError: print("check the key of", error.provider)
///     default: print(error.label)   // e.g. "http_503", "timeout", "stream_truncated"
///     }
/// }
/// ```
public struct ProviderError: ClassifiedFailure, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in one word.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case httpStatus = "http_status"
            case timeout
            case connection
            case tls
            case dns
            case streamTruncated = "stream_truncated"
            case streamError = "stream_error"
            case malformedResponse = "malformed_response"
            case responseTooLarge = "response_too_large"
            case poolExhausted = "pool_exhausted"
            case cancelled
            case invalidRequest = "invalid_request"
            case unsupported
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The upstream answered with a non-2xx status.
        public static let httpStatus = Code(.httpStatus)
        /// No answer (or no next byte of a stream) in time.
        public static let timeout = Code(.timeout)
        /// Refused, reset or closed connection, or no connection within the connect timeout.
        public static let connection = Code(.connection)
        /// The TLS handshake failed: the certificate is not trusted or not for this host.
        public static let tls = Code(.tls)
        /// The upstream's host name does not resolve.
        public static let dns = Code(.dns)
        /// The stream ended without its terminal event (`[DONE]` or `message_stop`).
        public static let streamTruncated = Code(.streamTruncated)
        /// The upstream reported an error inside a stream that had started.
        public static let streamError = Code(.streamError)
        /// The answer was not the JSON (or the events) the API specifies.
        public static let malformedResponse = Code(.malformedResponse)
        /// The answer, or one event, was bigger than the configured limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Every connection of Shepherd's pool to the upstream stayed busy for the connect timeout:
        /// the call waited that long in the queue and was not sent (class `rateLimited`: retry later).
        public static let poolExhausted = Code(.poolExhausted)
        /// The caller went away.
        public static let cancelled = Code(.cancelled)
        /// The request could not be encoded or translated for this upstream.
        public static let invalidRequest = Code(.invalidRequest)
        /// This upstream has no such operation (e.g. embeddings on Anthropic).
        public static let unsupported = Code(.unsupported)

        /// The code as a metric-label-safe string (`http_status`, `timeout`, …).
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The class of the failure (drives retry, failover and the health window).
    public var failureClass: FailureClass
    /// The configured name of the provider that failed (`relay`, `anthropic`, …).
    public var provider: String
    /// The upstream's HTTP status, when it answered.
    public var httpStatus: Int?
    /// The upstream's own error message (redacted of the API key), or a short explanation.
    public var message: String?
    /// The upstream's error type (`rate_limit_exceeded`, `overloaded_error`, …), when it sent one.
    public var upstreamType: String?
    /// The upstream's machine-readable error code (`context_length_exceeded`), passed on to the
    /// caller of a rejected request: SDKs branch on it.
    public var upstreamCode: String?
    /// The request field the upstream blamed (`messages`), passed on like ``upstreamCode``.
    public var upstreamParam: String?
    /// The upstream's `Retry-After`, when it sent one.
    public var retryAfter: RetryAfter?
    /// Whether the upstream may have carried out the request although the call failed: a
    /// timeout once the request was sent (the upstream may still be generating the answer), or
    /// an answer that arrived and could not be read. The retry layer does not repeat such a call
    /// on the same upstream by default. `false` for a connect or pool timeout, a refused
    /// connection, an error status.
    public var upstreamMayHaveCompleted: Bool

    /// Creates an error.
    public init(
        code: Code, failureClass: FailureClass, provider: String, httpStatus: Int? = nil, message: String? = nil,
        upstreamType: String? = nil, upstreamCode: String? = nil, upstreamParam: String? = nil,
        retryAfter: RetryAfter? = nil, upstreamMayHaveCompleted: Bool = false
    ) {
        self.upstreamCode = upstreamCode
        self.upstreamParam = upstreamParam
        self.code = code
        self.failureClass = failureClass
        self.provider = provider
        self.httpStatus = httpStatus
        self.message = message
        self.upstreamType = upstreamType
        self.retryAfter = retryAfter
        self.upstreamMayHaveCompleted = upstreamMayHaveCompleted
    }

    /// A short, bounded, label-safe name: `http_429`, `timeout`, `connection`, `stream_truncated`, …
    public var label: String {
        if code == .httpStatus, let httpStatus { return "http_\(httpStatus)" }
        return code.description
    }

    /// The failure as every layer above reads it, decided here, where it was seen first: a
    /// 503 or 529 is a state that passes (``CallFailure/isUnavailable``), ``Code/unsupported``
    /// an operation this upstream does not have.
    public var outcome: CallFailure {
        CallFailure(
            failureClass, label: label, retryAfter: retryAfter, upstreamMayHaveCompleted: upstreamMayHaveCompleted,
            httpStatus: httpStatus, provider: provider, message: message, upstreamType: upstreamType,
            upstreamCode: upstreamCode, upstreamParam: upstreamParam,
            passes: code == .httpStatus && (httpStatus == 503 || httpStatus == 529),
            unsupportedOperation: code == .unsupported)
    }

    public var description: String {
        var text = "\(provider): \(label) (\(failureClass.rawValue))"
        if let upstreamType { text += " [\(upstreamType)]" }
        if let message, !message.isEmpty {
            text += ": " + (message.count > 300 ? String(message.prefix(300)) + "…" : message)
        }
        return text
    }
}
