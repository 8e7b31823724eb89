/// `stream_options`.
public struct StreamOptions: Sendable, Hashable, Codable {
    /// Whether the stream ends with a chunk carrying the usage (and no choices).
    public var includeUsage: Bool?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(includeUsage: Bool? = nil, extras: [String: JSONValue] = [:]) {
        self.includeUsage = includeUsage
        self.extras = extras
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case includeUsage = "include_usage"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        includeUsage = try c.decodeIfPresent(Bool.self, forKey: .includeUsage)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(includeUsage, forKey: .includeUsage)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
