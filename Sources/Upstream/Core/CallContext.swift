public import Logging

/// Per-call information a ``ChatProvider`` needs besides the request itself.
///
/// Named `CallContext` rather than `RequestContext` so that it does not clash
/// with Hummingbird's `RequestContext` protocol in the server module.
///
/// ```swift
/// let context = CallContext(requestID: "req-42", timeout: .seconds(20), headers: ["x-tenant": "acme"])
/// let answer = try await provider.complete(request, context: context)
/// ```
public struct CallContext: Sendable {
    /// A correlation identifier, sent upstream as `x-request-id` when set.
    public var requestID: String?
    /// Overrides the provider's per-request timeout for this call. The provider's silence limit
    /// between two reads (its `readIdleTimeout`, else its configured `timeout`) still applies.
    public var timeout: Duration?
    /// Extra headers for this call only (added after the provider's own).
    public var headers: [String: String]
    /// Where the provider logs this call (never the API key).
    public var logger: Logger

    /// A logger that discards everything: the default, so that libraries stay quiet unless asked.
    public static let silentLogger = Logger(label: "shepherd.upstream", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        requestID: String? = nil, timeout: Duration? = nil, headers: [String: String] = [:],
        logger: Logger = CallContext.silentLogger
    ) {
        self.requestID = requestID
        self.timeout = timeout
        self.headers = headers
        self.logger = logger
    }
}
