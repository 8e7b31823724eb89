/// A complete chat-completions answer (`"object": "chat.completion"`), whichever upstream produced it.
///
/// ``metadata`` says which provider answered, with what latency, usage and
/// cost; it is never encoded, so the caller of the proxy sees only the
/// OpenAI shape.
public struct ChatResponse: Sendable, Hashable, Codable, WireObject {
    /// One answer (there are `n` of them; usually one).
    public struct Choice: Sendable, Hashable, Codable, WireObject {
        /// The position of this answer.
        public var index: Int
        /// The answer.
        public var message: ChatMessage
        /// `stop`, `length`, `tool_calls`, `content_filter` or `function_call`.
        public var finishReason: String?
        /// Log probabilities, when asked for.
        public var logprobs: JSONValue?
        /// Keys this type does not model, passed through unchanged.
        public var extras: [String: JSONValue]
        /// Whether decoding filled in a default (see ``ChatResponse/originalJSON``).
        var original: OriginalJSON<Choice> = .none

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            index: Int = 0, message: ChatMessage, finishReason: String? = nil, logprobs: JSONValue? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
            self.logprobs = logprobs
            self.extras = extras
        }

        static let wire = WireKeys<Choice>([
            .defaulted("index", \.index, 0), .required("message", \.message),
            .nullable("finish_reason", \.finishReason), .optional("logprobs", \.logprobs),
        ])

        public init(from decoder: any Decoder) throws {
            self.init(message: ChatMessage(role: .assistant))
            if try Self.wire.decode(decoder, into: &self) { original = .defaultsFilled }
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// The answer's identifier.
    public var id: String
    /// Always `chat.completion`.
    public var object: String
    /// Unix seconds.
    public var created: Int64
    /// The model that answered, as the upstream named it.
    public var model: String
    /// The answers.
    public var choices: [Choice]
    /// Token usage.
    public var usage: Usage?
    /// The backend configuration fingerprint.
    public var systemFingerprint: String?
    /// Keys this type does not model (`service_tier`, …), passed through unchanged.
    public var extras: [String: JSONValue]
    /// Which provider answered and how; never encoded.
    public var metadata: ResponseMetadata?
    /// The JSON the answer was decoded from by ``init(json:)``; see ``originalJSON``.
    var original: OriginalJSON<ChatResponse> = .none

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        id: String, object: String = "chat.completion", created: Int64, model: String, choices: [Choice],
        usage: Usage? = nil, systemFingerprint: String? = nil, extras: [String: JSONValue] = [:],
        metadata: ResponseMetadata? = nil
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.systemFingerprint = systemFingerprint
        self.extras = extras
        self.metadata = metadata
    }

    /// The first answer's text, for the common single-answer case.
    public var text: String? { choices.first?.message.content?.text }

    static let wire = WireKeys<ChatResponse>([
        .defaulted("id", \.id, ""), .defaulted("object", \.object, "chat.completion"),
        .defaulted("created", \.created, 0), .defaulted("model", \.model, ""), .required("choices", \.choices),
        .optional("usage", \.usage), .optional("system_fingerprint", \.systemFingerprint),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(id: "", created: 0, model: "", choices: [])
        if try Self.wire.decode(decoder, into: &self) { original = .defaultsFilled }
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
