/// The answer to `GET /v1/models`.
public struct ModelList: Sendable, Hashable, Codable {
    /// One model.
    public struct Model: Sendable, Hashable, Codable, WireObject {
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

        static let wire = WireKeys<Model>([
            .required("id", \.id), .defaulted("object", \.object, "model"), .optional("created", \.created),
            .optional("owned_by", \.ownedBy),
        ])

        public init(from decoder: any Decoder) throws {
            self.init(id: "")
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
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
