/// One path's answer to a shadowed call, in the shape the comparison needs (the wire types live
/// in Upstream; the router builds this from them).
public struct ShadowAnswer: Sendable, Hashable {
    /// The HTTP status (200 for an answer; the upstream's, or nil, for a failure).
    public var status: Int?
    /// Whether the call succeeded.
    public var succeeded: Bool
    /// The failure's class, when it failed.
    public var failure: FailureClass?
    /// From sending the request to the whole answer.
    public var latency: Duration
    /// Prompt tokens.
    public var inputTokens: Int
    /// Completion tokens.
    public var outputTokens: Int
    /// Spend in US dollars.
    public var cost: Double
    /// `finish_reason` of the first choice.
    public var finishReason: String?
    /// The names of the tools called, in order.
    public var toolNames: [String]
    /// Whether every tool call's arguments are valid JSON.
    public var toolArgumentsAreJSON: Bool
    /// The answer's text.
    public var text: String
    /// The text as canonical JSON (sorted keys) when the caller asked for a structured answer
    /// (`response_format` json) and the text parses; compared instead of the text.
    public var canonicalJSON: String?

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        status: Int?, succeeded: Bool, failure: FailureClass? = nil, latency: Duration, inputTokens: Int = 0,
        outputTokens: Int = 0, cost: Double = 0, finishReason: String? = nil, toolNames: [String] = [],
        toolArgumentsAreJSON: Bool = true, text: String = "", canonicalJSON: String? = nil
    ) {
        self.status = status
        self.succeeded = succeeded
        self.failure = failure
        self.latency = latency
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.finishReason = finishReason
        self.toolNames = toolNames
        self.toolArgumentsAreJSON = toolArgumentsAreJSON
        self.text = text
        self.canonicalJSON = canonicalJSON
    }

    /// The outcome for a health window.
    public var outcome: CallOutcome {
        CallOutcome(
            succeeded ? .success : .failure(failure ?? .other), latency: latency, inputTokens: inputTokens,
            outputTokens: outputTokens, cost: cost)
    }
}
