/// One content block of Anthropic's Messages API (`text`, `image`, `tool_use`, `tool_result`, `thinking`, …).
///
/// One struct for every block type, with the fields each type uses; unknown
/// keys pass through in ``extras``.
public struct AnthropicContentBlock: Sendable, Hashable, Codable, WireObject {
    /// The block's type.
    public var type: String
    /// `text` blocks.
    public var text: String?
    /// `tool_use` blocks: the call's identifier.
    public var id: String?
    /// `tool_use` blocks: the tool's name.
    public var name: String?
    /// `tool_use` blocks: the arguments as a JSON object.
    public var input: JSONValue?
    /// `tool_result` blocks: the call answered.
    public var toolUseID: String?
    /// `tool_result` blocks: the result (a string or blocks).
    public var content: JSONValue?
    /// `tool_result` blocks: whether the tool failed.
    public var isError: Bool?
    /// `image` and `document` blocks: `{"type": "base64" | "url", …}`.
    public var source: JSONValue?
    /// Keys this type does not model (`cache_control`, `thinking`, `signature`, …), passed through.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        type: String, text: String? = nil, id: String? = nil, name: String? = nil, input: JSONValue? = nil,
        toolUseID: String? = nil, content: JSONValue? = nil, isError: Bool? = nil, source: JSONValue? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.text = text
        self.id = id
        self.name = name
        self.input = input
        self.toolUseID = toolUseID
        self.content = content
        self.isError = isError
        self.source = source
        self.extras = extras
    }

    /// A `text` block.
    public static func text(_ text: String) -> AnthropicContentBlock { AnthropicContentBlock(type: "text", text: text) }

    static let wire = WireKeys<AnthropicContentBlock>([
        .required("type", \.type), .optional("text", \.text), .optional("id", \.id), .optional("name", \.name),
        .optional("input", \.input), .optional("tool_use_id", \.toolUseID), .optional("content", \.content),
        .optional("is_error", \.isError), .optional("source", \.source),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(type: "")
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
