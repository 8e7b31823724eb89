/// One content block of Anthropic's Messages API (`text`, `image`, `tool_use`, `tool_result`, `thinking`, …).
///
/// One struct for every block type, with the fields each type uses; unknown
/// keys pass through in ``extras``.
public struct AnthropicContentBlock: Sendable, Hashable, Codable {
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, text, id, name, input, content, source
        case toolUseID = "tool_use_id"
        case isError = "is_error"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        input = try c.decodeIfPresent(JSONValue.self, forKey: .input)
        toolUseID = try c.decodeIfPresent(String.self, forKey: .toolUseID)
        content = try c.decodeIfPresent(JSONValue.self, forKey: .content)
        isError = try c.decodeIfPresent(Bool.self, forKey: .isError)
        source = try c.decodeIfPresent(JSONValue.self, forKey: .source)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(input, forKey: .input)
        try c.encodeIfPresent(toolUseID, forKey: .toolUseID)
        try c.encodeIfPresent(content, forKey: .content)
        try c.encodeIfPresent(isError, forKey: .isError)
        try c.encodeIfPresent(source, forKey: .source)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
