/// An embeddings request (`POST /v1/embeddings`).
///
/// ```swift
/// let request = EmbeddingRequest(model: "text-embedding-3-small", input: ["first text", "second text"])
/// ```
public struct EmbeddingRequest: Sendable, Hashable, Codable, WireObject {
    /// The embedding model.
    public var model: String
    /// A string, an array of strings, or token arrays.
    public var input: JSONValue
    /// `float` (default) or `base64`.
    public var encodingFormat: String?
    /// The number of dimensions, for models that allow fewer.
    public var dimensions: Int?
    /// The end user's identifier.
    public var user: String?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        model: String, input: JSONValue, encodingFormat: String? = nil, dimensions: Int? = nil, user: String? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.model = model
        self.input = input
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
        self.user = user
        self.extras = extras
    }

    /// The texts to embed, when the input is text (a string or an array of strings).
    public var texts: [String] {
        switch input {
        case .string(let text): [text]
        case .array(let items): items.compactMap(\.stringValue)
        default: []
        }
    }

    static let wire = WireKeys<EmbeddingRequest>([
        .required("model", \.model), .required("input", \.input), .optional("encoding_format", \.encodingFormat),
        .optional("dimensions", \.dimensions), .optional("user", \.user),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(model: "", input: .null)
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
