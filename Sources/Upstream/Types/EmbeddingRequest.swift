/// An embeddings request (`POST /v1/embeddings`).
///
/// ```swift
/// let request = EmbeddingRequest(model: "text-embedding-3-small", input: ["first text", "second text"])
/// ```
public struct EmbeddingRequest: Sendable, Hashable, Codable {
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, input, dimensions, user
        case encodingFormat = "encoding_format"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        input = try c.decode(JSONValue.self, forKey: .input)
        encodingFormat = try c.decodeIfPresent(String.self, forKey: .encodingFormat)
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(input, forKey: .input)
        try c.encodeIfPresent(encodingFormat, forKey: .encodingFormat)
        try c.encodeIfPresent(dimensions, forKey: .dimensions)
        try c.encodeIfPresent(user, forKey: .user)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
