/// The answer to an embeddings request.
public struct EmbeddingResponse: Sendable, Hashable, Codable, WireObject {
    /// One input's embedding.
    public struct Embedding: Sendable, Hashable, Codable {
        /// Always `embedding`.
        public var object: String
        /// The position of the input.
        public var index: Int
        /// The vector: an array of floats, or a base64 string for `encoding_format: base64`.
        public var embedding: JSONValue

        /// Creates a value; each parameter sets the property of the same name.
        public init(object: String = "embedding", index: Int, embedding: JSONValue) {
            self.object = object
            self.index = index
            self.embedding = embedding
        }

        /// The vector as floats, when it was sent as floats.
        public var vector: [Double]? { embedding.arrayValue?.compactMap(\.doubleValue) }
    }

    /// Prompt tokens only: embeddings produce no output tokens.
    public struct Usage: Sendable, Hashable, Codable {
        /// Input tokens.
        public var promptTokens: Int
        /// Equal to `promptTokens`.
        public var totalTokens: Int

        /// Creates a value; each parameter sets the property of the same name.
        public init(promptTokens: Int, totalTokens: Int? = nil) {
            self.promptTokens = promptTokens
            self.totalTokens = totalTokens ?? promptTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    /// Always `list`.
    public var object: String
    /// One embedding per input.
    public var data: [Embedding]
    /// The model that answered.
    public var model: String
    /// Token usage.
    public var usage: Usage?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        object: String = "list", data: [Embedding], model: String, usage: Usage? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.object = object
        self.data = data
        self.model = model
        self.usage = usage
        self.extras = extras
    }

    static let wire = WireKeys<EmbeddingResponse>([
        .defaulted("object", \.object, "list"), .required("data", \.data), .defaulted("model", \.model, ""),
        .optional("usage", \.usage),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(data: [], model: "")
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
