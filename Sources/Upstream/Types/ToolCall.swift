/// A tool (function) call made by the model, whole or, in a stream, as a delta.
///
/// In a complete answer `id`, `type` and `function` are always set; in a
/// streamed delta only `index` is, and the other fields arrive in pieces
/// (the name first, then the arguments in fragments).
public struct ToolCall: Sendable, Hashable, Codable, WireObject {
    /// The function being called.
    public struct Function: Sendable, Hashable, Codable {
        /// The function's name.
        public var name: String?
        /// The arguments as a JSON text (or, in a stream, a fragment of it).
        public var arguments: String?

        /// Creates a value; each parameter sets the property of the same name.
        public init(name: String? = nil, arguments: String? = nil) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// The position of this call among the answer's calls (streamed deltas only).
    public var index: Int?
    /// The call's identifier, echoed back by the `tool` message that answers it.
    public var id: String?
    /// Always `function` today.
    public var type: String?
    /// The function and its arguments.
    public var function: Function?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        index: Int? = nil, id: String? = nil, type: String? = "function", function: Function? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.index = index
        self.id = id
        self.type = type
        self.function = function
        self.extras = extras
    }

    static let wire = WireKeys<ToolCall>([
        .optional("index", \.index), .optional("id", \.id), .optional("type", \.type),
        .optional("function", \.function),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(type: nil)
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
