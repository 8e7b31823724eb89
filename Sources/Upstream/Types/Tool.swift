/// A tool the model may call: today always a function with a JSON-Schema for its arguments.
///
/// ```swift
/// let weather = Tool(function: .init(name: "get_weather", description: "Weather for a city",
///                                    parameters: ["type": "object", "properties": ["city": ["type": "string"]]]))
/// ```
public struct Tool: Sendable, Hashable, Codable, WireObject {
    /// A function definition.
    public struct Function: Sendable, Hashable, Codable {
        /// The function's name.
        public var name: String
        /// What the function does, for the model.
        public var description: String?
        /// The JSON Schema of the arguments.
        public var parameters: JSONValue?
        /// Whether the model must follow the schema exactly.
        public var strict: Bool?

        /// Creates a value; each parameter sets the property of the same name.
        public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
            self.name = name
            self.description = description
            self.parameters = parameters
            self.strict = strict
        }
    }

    /// Always `function` today.
    public var type: String
    /// The function.
    public var function: Function
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(type: String = "function", function: Function, extras: [String: JSONValue] = [:]) {
        self.type = type
        self.function = function
        self.extras = extras
    }

    static let wire = WireKeys<Tool>([
        .defaulted("type", \.type, "function"), .required("function", \.function),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(function: Function(name: ""))
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
