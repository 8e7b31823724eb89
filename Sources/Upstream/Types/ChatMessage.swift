/// One message of a chat: what the caller sends in `messages` and what the model answers.
///
/// ```swift
/// let messages: [ChatMessage] = [
///     .init(role: .system, content: "Be brief."),
///     .init(role: .user, content: "Hello"),
/// ]
/// ```
public struct ChatMessage: Sendable, Hashable, Codable, WireObject {
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

    static let wire = WireKeys<ChatMessage>([
        .required("role", \.role), .nullable("content", \.content, when: { $0.role == .assistant }),
        .optional("name", \.name), .optional("tool_calls", \.toolCalls), .optional("tool_call_id", \.toolCallID),
        .optional("refusal", \.refusal),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(role: .user)
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
