/// One message of a chat: what the caller sends in `messages` and what the model answers.
///
/// ```swift
/// let messages: [ChatMessage] = [
///     .init(role: .system, content: "Be brief."),
///     .init(role: .user, content: "Hello"),
/// ]
/// ```
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote the message.
    public var role: ChatRole
    /// The message's content; `nil` for an assistant message that only calls tools.
    public var content: MessageContent?
    /// An optional participant name.
    public var name: String?
    /// The tools the model called (assistant messages).
    public var toolCalls: [ToolCall]?
    /// The call this message answers (tool messages).
    public var toolCallID: String?
    /// The model's refusal, when it refused.
    public var refusal: String?
    /// Keys this type does not model (`function_call`, `audio`, `reasoning_content`, …), passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        role: ChatRole, content: MessageContent? = nil, name: String? = nil, toolCalls: [ToolCall]? = nil,
        toolCallID: String? = nil, refusal: String? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.refusal = refusal
        self.extras = extras
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case role, content, name, refusal
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(ChatRole.self, forKey: .role)
        content = try container.decodeIfPresent(MessageContent.self, forKey: .content)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        refusal = try container.decodeIfPresent(String.self, forKey: .refusal)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        if let content {
            try container.encode(content, forKey: .content)
        } else if role == .assistant {
            // OpenAI writes an explicit null next to tool calls; some strict gateways require the key.
            try container.encodeNil(forKey: .content)
        }
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try container.encodeIfPresent(refusal, forKey: .refusal)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
