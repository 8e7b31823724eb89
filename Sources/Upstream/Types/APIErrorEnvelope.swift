/// The OpenAI error envelope: `{"error": {"message": …, "type": …, "param": …, "code": …}}`.
///
/// Shepherd reads it from upstream failures (its message goes into
/// ``ProviderError/message``) and writes it when it must answer with an error
/// itself, so that callers always see the shape their SDK understands.
public struct APIErrorEnvelope: Sendable, Hashable, Codable {
    /// The error itself.
    public struct Body: Sendable, Hashable, Codable, WireObject {
        /// A human-readable message.
        public var message: String
        /// `invalid_request_error`, `rate_limit_exceeded`, `server_error`, …
        public var type: String?
        /// The request field at fault, when there is one.
        public var param: String?
        /// A machine-readable code (a string, sometimes a number).
        public var code: JSONValue?
        /// Keys this type does not model, passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            message: String, type: String? = nil, param: String? = nil, code: JSONValue? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
            self.extras = extras
        }

        static let wire = WireKeys<Body>([
            .defaulted("message", \.message, ""), .nullable("type", \.type), .nullable("param", \.param),
            .nullable("code", \.code),
        ])

        public init(from decoder: any Decoder) throws {
            self.init(message: "")
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// The error.
    public var error: Body

    /// Creates a value; each parameter sets the property of the same name.
    public init(error: Body) {
        self.error = error
    }

    /// An envelope with `message`, `type` and an optional `code`.
    public init(message: String, type: String, code: String? = nil) {
        self.error = Body(message: message, type: type, code: code.map(JSONValue.string))
    }
}
