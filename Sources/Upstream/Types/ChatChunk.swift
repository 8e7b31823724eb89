/// One server-sent chunk of a streamed answer (`"object": "chat.completion.chunk"`).
///
/// With `stream_options.include_usage` the stream ends with a chunk whose
/// `choices` is empty and whose ``usage`` is set.
public struct ChatChunk: Sendable, Hashable, Codable, WireObject {
    /// What changed in one answer.
    public struct Delta: Sendable, Hashable, Codable, WireObject {
        /// Set on the first delta of an answer.
        public var role: ChatRole?
        /// A piece of text.
        public var content: String?
        /// Pieces of tool calls, by `index`.
        public var toolCalls: [ToolCall]?
        /// A piece of a refusal.
        public var refusal: String?
        /// Keys this type does not model (`reasoning_content`, …), passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            role: ChatRole? = nil, content: String? = nil, toolCalls: [ToolCall]? = nil, refusal: String? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
            self.refusal = refusal
            self.extras = extras
        }

        static let wire = WireKeys<Delta>([
            .optional("role", \.role), .optional("content", \.content), .optional("tool_calls", \.toolCalls),
            .optional("refusal", \.refusal),
        ])

        public init(from decoder: any Decoder) throws {
            self.init()
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// One answer's delta.
    public struct Choice: Sendable, Hashable, Codable, WireObject {
        /// Which answer this delta belongs to.
        public var index: Int
        /// The change.
        public var delta: Delta
        /// Set on the answer's last delta.
        public var finishReason: String?
        /// Log probabilities, when asked for.
        public var logprobs: JSONValue?
        /// Keys this type does not model, passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            index: Int = 0, delta: Delta, finishReason: String? = nil, logprobs: JSONValue? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
            self.logprobs = logprobs
            self.extras = extras
        }

        static let wire = WireKeys<Choice>([
            .defaulted("index", \.index, 0), .defaulted("delta", \.delta, Delta()),
            .nullable("finish_reason", \.finishReason), .optional("logprobs", \.logprobs),
        ])

        public init(from decoder: any Decoder) throws {
            self.init(delta: Delta())
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// The answer's identifier (the same on every chunk).
    public var id: String
    /// Always `chat.completion.chunk`.
    public var object: String
    /// Unix seconds.
    public var created: Int64
    /// The model that answers.
    public var model: String
    /// The deltas; empty on the final usage chunk.
    public var choices: [Choice]
    /// Set on the final chunk when the request asked for `stream_options.include_usage`.
    public var usage: Usage?
    /// The backend configuration fingerprint.
    public var systemFingerprint: String?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        id: String, object: String = "chat.completion.chunk", created: Int64, model: String, choices: [Choice],
        usage: Usage? = nil, systemFingerprint: String? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.systemFingerprint = systemFingerprint
        self.extras = extras
    }

    static let wire = WireKeys<ChatChunk>([
        .defaulted("id", \.id, ""), .defaulted("object", \.object, "chat.completion.chunk"),
        .defaulted("created", \.created, 0), .defaulted("model", \.model, ""), .defaulted("choices", \.choices, []),
        .optional("usage", \.usage), .optional("system_fingerprint", \.systemFingerprint),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(id: "", created: 0, model: "", choices: [])
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
