/// `response_format`: plain text, any JSON object, or JSON matching a schema.
public struct ResponseFormat: Sendable, Hashable, Codable, WireObject {
    /// `text`, `json_object` or `json_schema`.
    public var type: String
    /// The schema wrapper (`{"name": …, "schema": …, "strict": …}`) for `json_schema`.
    public var jsonSchema: JSONValue?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(type: String, jsonSchema: JSONValue? = nil, extras: [String: JSONValue] = [:]) {
        self.type = type
        self.jsonSchema = jsonSchema
        self.extras = extras
    }

    static let wire = WireKeys<ResponseFormat>([
        .required("type", \.type), .optional("json_schema", \.jsonSchema),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(type: "")
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
