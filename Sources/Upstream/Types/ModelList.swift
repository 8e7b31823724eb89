/// The answer to `GET /v1/models`.
public struct ModelList: Sendable, Hashable, Codable {
    /// One model.
    public struct Model: Sendable, Hashable, Codable {
        /// The model's name, as used in `model`.
        public var id: String
        /// Always `model`.
        public var object: String
        /// Unix seconds.
        public var created: Int64?
        /// The organisation that owns it.
        public var ownedBy: String?
        /// Keys this type does not model, passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            id: String, object: String = "model", created: Int64? = nil, ownedBy: String? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.id = id
            self.object = object
            self.created = created
            self.ownedBy = ownedBy
            self.extras = extras
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, object, created
            case ownedBy = "owned_by"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            object = try c.decodeIfPresent(String.self, forKey: .object) ?? "model"
            created = try c.decodeIfPresent(Int64.self, forKey: .created)
            ownedBy = try c.decodeIfPresent(String.self, forKey: .ownedBy)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(object, forKey: .object)
            try c.encodeIfPresent(created, forKey: .created)
            try c.encodeIfPresent(ownedBy, forKey: .ownedBy)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
    }

    /// Always `list`.
    public var object: String
    /// The models.
    public var data: [Model]

    /// Creates a value; each parameter sets the property of the same name.
    public init(object: String = "list", data: [Model]) {
        self.object = object
        self.data = data
    }
}
