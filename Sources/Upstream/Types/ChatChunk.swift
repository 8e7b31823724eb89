/// One server-sent chunk of a streamed answer (`"object": "chat.completion.chunk"`).
///
/// With `stream_options.include_usage` the stream ends with a chunk whose
/// `choices` is empty and whose ``usage`` is set.
public struct ChatChunk: Sendable, Hashable, Codable {
    /// What changed in one answer.
    public struct Delta: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case role, content, refusal
            case toolCalls = "tool_calls"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decodeIfPresent(ChatRole.self, forKey: .role)
            content = try c.decodeIfPresent(String.self, forKey: .content)
            toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
            refusal = try c.decodeIfPresent(String.self, forKey: .refusal)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(role, forKey: .role)
            try c.encodeIfPresent(content, forKey: .content)
            try c.encodeIfPresent(toolCalls, forKey: .toolCalls)
            try c.encodeIfPresent(refusal, forKey: .refusal)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
    }

    /// One answer's delta.
    public struct Choice: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case index, delta, logprobs
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            delta = try c.decodeIfPresent(Delta.self, forKey: .delta) ?? Delta()
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
            logprobs = try c.decodeIfPresent(JSONValue.self, forKey: .logprobs)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(finishReason, forKey: .finishReason)
            try c.encodeIfPresent(logprobs, forKey: .logprobs)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion.chunk"
        created = try c.decodeIfPresent(Int64.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        usage = try c.decodeIfPresent(Usage.self, forKey: .usage)
        systemFingerprint = try c.decodeIfPresent(String.self, forKey: .systemFingerprint)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
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
