/// `response_format`: plain text, any JSON object, or JSON matching a schema.
public struct ResponseFormat: Sendable, Hashable, Codable {
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        case jsonSchema = "json_schema"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        jsonSchema = try c.decodeIfPresent(JSONValue.self, forKey: .jsonSchema)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(jsonSchema, forKey: .jsonSchema)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
