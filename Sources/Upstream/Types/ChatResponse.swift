/// A complete chat-completions answer (`"object": "chat.completion"`), whichever upstream produced it.
///
/// ``metadata`` says which provider answered, with what latency, usage and
/// cost; it is never encoded, so the caller of the proxy sees only the
/// OpenAI shape.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// One answer (there are `n` of them; usually one).
    public struct Choice: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            message = try c.decode(ChatMessage.self, forKey: .message)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
            logprobs = try c.decodeIfPresent(JSONValue.self, forKey: .logprobs)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
            if !c.contains(.index) || !c.contains(.finishReason) { original = .defaultsFilled }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(finishReason, forKey: .finishReason)
            try c.encodeIfPresent(logprobs, forKey: .logprobs)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion"
        created = try c.decodeIfPresent(Int64.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decode([Choice].self, forKey: .choices)
        usage = try c.decodeIfPresent(Usage.self, forKey: .usage)
        systemFingerprint = try c.decodeIfPresent(String.self, forKey: .systemFingerprint)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        metadata = nil
        if !(c.contains(.id) && c.contains(.object) && c.contains(.created) && c.contains(.model)) {
            original = .defaultsFilled
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(choices, forKey: .choices)
        try c.encodeIfPresent(usage, forKey: .usage)
        try c.encodeIfPresent(systemFingerprint, forKey: .systemFingerprint)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
