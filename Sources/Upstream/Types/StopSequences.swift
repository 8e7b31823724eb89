/// `stop`: one string or a list of strings, written back in the form it came in.
public struct StopSequences: Sendable, Hashable, Codable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    /// The sequences.
    public var values: [String]
    /// Whether the wire form was a single string.
    public var isSingle: Bool

    /// Creates a value; each parameter sets the property of the same name.
    public init(_ values: [String]) {
        self.values = values
        self.isSingle = false
    }

    public init(stringLiteral value: String) {
        self.values = [value]
        self.isSingle = true
    }

    public init(arrayLiteral elements: String...) { self.init(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
            isSingle = true
        } else {
            values = try container.decode([String].self)
            isSingle = false
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if isSingle, values.count == 1 {
            try container.encode(values[0])
        } else {
            try container.encode(values)
        }
    }
}
