/// An answer of Anthropic's Messages API (`"type": "message"`).
public struct AnthropicMessagesResponse: Sendable, Hashable, Codable {
    /// The message's identifier (`msg_…`).
    public var id: String
    /// Always `message`.
    public var type: String
    /// Always `assistant`.
    public var role: String
    /// The model that answered.
    public var model: String
    /// The answer's blocks.
    public var content: [AnthropicContentBlock]
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `pause_turn` or `refusal`.
    public var stopReason: String?
    /// The stop sequence that matched, if any.
    public var stopSequence: String?
    /// Token usage.
    public var usage: AnthropicUsage

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        id: String, type: String = "message", role: String = "assistant", model: String,
        content: [AnthropicContentBlock], stopReason: String?, stopSequence: String? = nil, usage: AnthropicUsage
    ) {
        self.id = id
        self.type = type
        self.role = role
        self.model = model
        self.content = content
        self.stopReason = stopReason
        self.stopSequence = stopSequence
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? "message"
        role = try c.decodeIfPresent(String.self, forKey: .role) ?? "assistant"
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        content = try c.decodeIfPresent([AnthropicContentBlock].self, forKey: .content) ?? []
        stopReason = try c.decodeIfPresent(String.self, forKey: .stopReason)
        stopSequence = try c.decodeIfPresent(String.self, forKey: .stopSequence)
        usage = try c.decodeIfPresent(AnthropicUsage.self, forKey: .usage) ?? AnthropicUsage()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(role, forKey: .role)
        try c.encode(model, forKey: .model)
        try c.encode(content, forKey: .content)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(stopSequence, forKey: .stopSequence)
        try c.encode(usage, forKey: .usage)
    }
}
