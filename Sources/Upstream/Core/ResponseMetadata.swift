/// Which provider answered a call, and how: the only place a caller can see it.
///
/// Attached to every ``ChatResponse`` (never encoded) and to every
/// ``ChatChunkStream``.
public struct ResponseMetadata: Sendable, Hashable {
    /// The provider's configured name (`relay`, `legacy`, `anthropic`, …).
    public var provider: String
    /// The wire format the provider speaks.
    public var kind: ProviderKind
    /// The model the caller asked for.
    public var requestedModel: String
    /// The model the upstream was asked for (after model mapping) or, once known, answered with.
    public var upstreamModel: String
    /// The upstream's HTTP status.
    public var httpStatus: Int
    /// The upstream's request identifier (`x-request-id` or `request-id`), for support tickets.
    public var upstreamRequestID: String?
    /// Time to the whole answer (complete) or to the response head (stream).
    public var latency: Duration
    /// Token usage, when known (for a stream: after its usage chunk).
    public var usage: Usage?
    /// Cost in US dollars, when the usage is known and the model is priced.
    public var cost: Double?

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        provider: String, kind: ProviderKind, requestedModel: String, upstreamModel: String, httpStatus: Int,
        upstreamRequestID: String? = nil, latency: Duration = .zero, usage: Usage? = nil, cost: Double? = nil
    ) {
        self.provider = provider
        self.kind = kind
        self.requestedModel = requestedModel
        self.upstreamModel = upstreamModel
        self.httpStatus = httpStatus
        self.upstreamRequestID = upstreamRequestID
        self.latency = latency
        self.usage = usage
        self.cost = cost
    }
}
