/// The OpenAI error envelope: `{"error": {"message": …, "type": …, "param": …, "code": …}}`.
///
/// Shepherd reads it from upstream failures (its message goes into
/// ``ProviderError/message``) and writes it when it must answer with an error
/// itself, so that callers always see the shape their SDK understands.
public struct APIErrorEnvelope: Sendable, Hashable, Codable {
    /// The error itself.
    public struct Body: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case message, type, param, code
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
            type = try c.decodeIfPresent(String.self, forKey: .type)
            param = try c.decodeIfPresent(String.self, forKey: .param)
            code = try c.decodeIfPresent(JSONValue.self, forKey: .code)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(param, forKey: .param)
            try c.encode(code ?? .null, forKey: .code)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
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
