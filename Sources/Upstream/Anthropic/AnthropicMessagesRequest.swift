/// A request to Anthropic's Messages API (`POST /v1/messages`).
///
/// ``AnthropicTranslation/request(from:model:defaultMaxTokens:)`` builds one
/// from an OpenAI-shaped ``ChatRequest``.
public struct AnthropicMessagesRequest: Sendable, Hashable, Codable {
    /// One conversation turn.
    public struct Message: Sendable, Hashable, Codable {
        /// `user` or `assistant`.
        public var role: String
        /// The turn's blocks (a plain string is read as one text block).
        public var content: [AnthropicContentBlock]

        /// Creates a value; each parameter sets the property of the same name.
        public init(role: String, content: [AnthropicContentBlock]) {
            self.role = role
            self.content = content
        }

        enum CodingKeys: String, CodingKey {
            case role, content
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decode(String.self, forKey: .role)
            if let text = try? c.decode(String.self, forKey: .content) {
                content = [.text(text)]
            } else {
                content = try c.decode([AnthropicContentBlock].self, forKey: .content)
            }
        }
    }

    /// A tool definition.
    public struct Tool: Sendable, Hashable, Codable {
        /// The tool's name.
        public var name: String
        /// What it does.
        public var description: String?
        /// The JSON Schema of its input.
        public var inputSchema: JSONValue

        /// Creates a value; each parameter sets the property of the same name.
        public init(name: String, description: String? = nil, inputSchema: JSONValue) {
            self.name = name
            self.description = description
            self.inputSchema = inputSchema
        }

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    /// The model.
    public var model: String
    /// The output-token limit (required by Anthropic).
    public var maxTokens: Int
    /// The conversation, alternating `user` and `assistant`.
    public var messages: [Message]
    /// The system prompt.
    public var system: String?
    /// Where to stop.
    public var stopSequences: [String]?
    /// Whether to stream.
    public var stream: Bool?
    /// Sampling temperature (0–1).
    public var temperature: Double?
    /// Nucleus sampling.
    public var topP: Double?
    /// Tools the model may use.
    public var tools: [Tool]?
    /// `{"type": "auto" | "any" | "tool" | "none", …}`.
    public var toolChoice: JSONValue?
    /// `{"user_id": …}`.
    public var metadata: JSONValue?

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        model: String, maxTokens: Int, messages: [Message], system: String? = nil, stopSequences: [String]? = nil,
        stream: Bool? = nil, temperature: Double? = nil, topP: Double? = nil, tools: [Tool]? = nil,
        toolChoice: JSONValue? = nil, metadata: JSONValue? = nil
    ) {
        self.model = model
        self.maxTokens = maxTokens
        self.messages = messages
        self.system = system
        self.stopSequences = stopSequences
        self.stream = stream
        self.temperature = temperature
        self.topP = topP
        self.tools = tools
        self.toolChoice = toolChoice
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, system, stream, temperature, tools, metadata
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
        case topP = "top_p"
        case toolChoice = "tool_choice"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        maxTokens = try c.decode(Int.self, forKey: .maxTokens)
        messages = try c.decode([Message].self, forKey: .messages)
        if let text = try? c.decodeIfPresent(String.self, forKey: .system) {
            system = text
        } else if let blocks = try c.decodeIfPresent([AnthropicContentBlock].self, forKey: .system) {
            system = blocks.compactMap(\.text).joined(separator: "\n\n")
        } else {
            system = nil
        }
        stopSequences = try c.decodeIfPresent([String].self, forKey: .stopSequences)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        tools = try c.decodeIfPresent([Tool].self, forKey: .tools)
        toolChoice = try c.decodeIfPresent(JSONValue.self, forKey: .toolChoice)
        metadata = try c.decodeIfPresent(JSONValue.self, forKey: .metadata)
    }
}
