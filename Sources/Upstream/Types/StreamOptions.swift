/// `stream_options`.
public struct StreamOptions: Sendable, Hashable, Codable, WireObject {
    /// Whether the stream ends with a chunk carrying the usage (and no choices).
    public var includeUsage: Bool?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(includeUsage: Bool? = nil, extras: [String: JSONValue] = [:]) {
        self.includeUsage = includeUsage
        self.extras = extras
    }

    static let wire = WireKeys<StreamOptions>([
        .optional("include_usage", \.includeUsage)
    ])

    public init(from decoder: any Decoder) throws {
        self.init()
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
