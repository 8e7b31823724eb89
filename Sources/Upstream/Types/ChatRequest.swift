/// An OpenAI chat-completions request (`POST /v1/chat/completions`).
///
/// The fields Shepherd reads or translates are modelled; every other key is
/// kept in ``extras`` and written back out, so a request round-trips through
/// the proxy without loss.
///
/// ```swift
/// var request = ChatRequest(model: "gpt-4.1", messages: [.init(role: .user, content: "Hello")])
/// request.maxTokens = 64
/// request.stream = true
/// request.streamOptions = StreamOptions(includeUsage: true)
/// ```
public struct ChatRequest: Sendable, Hashable, Codable, WireObject {
    /// The model to call.
    public var model: String
    /// The conversation so far.
    public var messages: [ChatMessage]
    /// Sampling temperature.
    public var temperature: Double?
    /// Nucleus sampling.
    public var topP: Double?
    /// How many answers to generate.
    public var n: Int?
    /// The legacy output-token limit.
    public var maxTokens: Int?
    /// The output-token limit (reasoning tokens included).
    public var maxCompletionTokens: Int?
    /// Where to stop generating.
    public var stop: StopSequences?
    /// Whether to answer with server-sent events.
    public var stream: Bool?
    /// Streaming options (`include_usage`).
    public var streamOptions: StreamOptions?
    /// Tools the model may call.
    public var tools: [Tool]?
    /// `"none"`, `"auto"`, `"required"` or `{"type": "function", "function": {"name": …}}`.
    public var toolChoice: JSONValue?
    /// Whether the model may call several tools at once.
    public var parallelToolCalls: Bool?
    /// `{"type": "text" | "json_object" | "json_schema", …}`.
    public var responseFormat: ResponseFormat?
    /// The end user's identifier; also a routing key for the canary split.
    public var user: String?
    /// Best-effort deterministic sampling.
    public var seed: Int?
    /// Keys this type does not model (`logit_bias`, `logprobs`, `reasoning_effort`, `metadata`, …), passed through.
    public var extras: [String: JSONValue]
    /// The JSON the request was decoded from by ``init(json:)``; see ``originalJSON``.
    var original: OriginalJSON<ChatRequest> = .none

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        model: String, messages: [ChatMessage], temperature: Double? = nil, topP: Double? = nil, n: Int? = nil,
        maxTokens: Int? = nil, maxCompletionTokens: Int? = nil, stop: StopSequences? = nil, stream: Bool? = nil,
        streamOptions: StreamOptions? = nil, tools: [Tool]? = nil, toolChoice: JSONValue? = nil,
        parallelToolCalls: Bool? = nil, responseFormat: ResponseFormat? = nil, user: String? = nil,
        seed: Int? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.n = n
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.stop = stop
        self.stream = stream
        self.streamOptions = streamOptions
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.responseFormat = responseFormat
        self.user = user
        self.seed = seed
        self.extras = extras
    }

    /// Whether the caller asked for a stream.
    public var isStreaming: Bool { stream ?? false }

    /// The output-token limit the caller set, whichever field it used.
    public var outputTokenLimit: Int? { maxCompletionTokens ?? maxTokens }

    static let wire = WireKeys<ChatRequest>([
        .required("model", \.model), .required("messages", \.messages), .optional("temperature", \.temperature),
        .optional("top_p", \.topP), .optional("n", \.n), .optional("max_tokens", \.maxTokens),
        .optional("max_completion_tokens", \.maxCompletionTokens), .optional("stop", \.stop),
        .optional("stream", \.stream), .optional("stream_options", \.streamOptions), .optional("tools", \.tools),
        .optional("tool_choice", \.toolChoice), .optional("parallel_tool_calls", \.parallelToolCalls),
        .optional("response_format", \.responseFormat), .optional("user", \.user), .optional("seed", \.seed),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(model: "", messages: [])
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
