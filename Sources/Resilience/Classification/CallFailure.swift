public import Canary

/// A failed call as decided once, by the layer that saw the failure first: what every layer
/// above reads instead of looking at the error again.
///
/// The `HTTPClientError` pattern of AsyncHTTPClient (a value with a short, bounded description
/// for metrics): the upstream client decides its failures (``ClassifiedFailure/outcome`` of a
/// `ProviderError`), the resilience layer decides its own (a ``ResilienceError``'s), and the
/// router turns an error of any other type into one with ``FailureClassifier/outcome(of:)``.
/// From then on retries, breakers, failover, the health window, the metrics and the server's
/// error envelope read this value: its class, whether it is retried and failed over, the
/// upstream's `Retry-After`, status, message and error type, and a bounded label.
///
/// ```swift
/// let failure = FailureClassifier().outcome(of: error)
/// if failure.isFailover { … }                 // answer from the other path
/// metrics.count(outcome: failure.label)       // "http_503", "circuit_open", "timeout", …
/// ```
public struct CallFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of the failure in the one failure table.
    public let failureClass: FailureClass
    /// A short, bounded, label-safe name: `http_503`, `timeout`, `circuit_open`, `budget_exhausted`, …
    public let label: String
    /// When the upstream (or an open breaker) says to try again.
    public let retryAfter: RetryAfter?
    /// Whether the upstream may have carried out the call although it failed
    /// (``ClassifiedFailure/upstreamMayHaveCompleted``).
    public let upstreamMayHaveCompleted: Bool
    /// The upstream's HTTP status, when it answered.
    public let httpStatus: Int?
    /// The configured name of the provider that failed, when an upstream client decided the failure.
    public let provider: String?
    /// The upstream's own error message (redacted of the API key), when it sent one.
    public let message: String?
    /// The upstream's error type (`rate_limit_exceeded`, `invalid_request_error`, …).
    public let upstreamType: String?
    /// The upstream's machine-readable error code (`context_length_exceeded`).
    public let upstreamCode: String?
    /// The request field the upstream blamed (`messages`).
    public let upstreamParam: String?
    /// Whether the upstream has no such operation (embeddings on Anthropic, say).
    public let isUnsupportedOperation: Bool
    /// Whether a server error is a state that passes (503, 529, an open breaker, a spent budget).
    private let passes: Bool

    /// Creates a failure.
    ///
    /// - Parameters:
    ///   - failureClass: the class.
    ///   - label: the bounded label (default: the class's name).
    ///   - retryAfter: when to try again.
    ///   - upstreamMayHaveCompleted: whether the upstream may have carried out the call.
    ///   - httpStatus: the upstream's status.
    ///   - provider: the provider that failed.
    ///   - message: the upstream's message.
    ///   - upstreamType: the upstream's error type.
    ///   - upstreamCode: the upstream's error code.
    ///   - upstreamParam: the request field the upstream blamed.
    ///   - passes: for a server error, whether it says "not now" rather than "broken" (``isUnavailable``).
    ///   - unsupportedOperation: whether the upstream has no such operation.
    public init(
        _ failureClass: FailureClass, label: String? = nil, retryAfter: RetryAfter? = nil,
        upstreamMayHaveCompleted: Bool = false, httpStatus: Int? = nil, provider: String? = nil,
        message: String? = nil, upstreamType: String? = nil, upstreamCode: String? = nil,
        upstreamParam: String? = nil, passes: Bool = false, unsupportedOperation: Bool = false
    ) {
        self.failureClass = failureClass
        self.label = label ?? failureClass.rawValue
        self.retryAfter = retryAfter
        self.upstreamMayHaveCompleted = upstreamMayHaveCompleted
        self.httpStatus = httpStatus
        self.provider = provider
        self.message = message
        self.upstreamType = upstreamType
        self.upstreamCode = upstreamCode
        self.upstreamParam = upstreamParam
        self.passes = passes
        self.isUnsupportedOperation = unsupportedOperation
    }

    /// Whether a call that failed this way may be tried again on the same upstream.
    public var isRetryable: Bool { failureClass.isRetryable }

    /// Whether a call that failed this way is answered by the other path.
    public var isFailover: Bool { failureClass.isFailover }

    /// Whether the failure says "not now" rather than "broken": a rate limit, or a server error
    /// that passes (503, 529, an open breaker, a spent retry budget). The caller may retry later.
    public var isUnavailable: Bool {
        failureClass == .rateLimited || (failureClass == .serverError && passes)
    }

    /// The same failure in another class, as a layer that knows better decides it (an attempt
    /// the executor cancelled at its timeout is a timeout, not the caller going away).
    public func reclassified(as failureClass: FailureClass) -> CallFailure {
        CallFailure(
            failureClass, label: label, retryAfter: retryAfter, upstreamMayHaveCompleted: upstreamMayHaveCompleted,
            httpStatus: httpStatus, provider: provider, message: message, upstreamType: upstreamType,
            upstreamCode: upstreamCode, upstreamParam: upstreamParam, passes: passes,
            unsupportedOperation: isUnsupportedOperation)
    }

    public var description: String {
        var text = "\(provider.map { "\($0): " } ?? "")\(label) (\(failureClass.rawValue))"
        if let upstreamType { text += " [\(upstreamType)]" }
        if let message, !message.isEmpty {
            text += ": " + (message.count > 300 ? String(message.prefix(300)) + "…" : message)
        }
        return text
    }
}

extension CallFailure: ClassifiedFailure {
    /// Itself: the failure is decided.
    public var outcome: CallFailure { self }
}
