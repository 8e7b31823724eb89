/// A coding key for any string: how the wire types reach the keys they do not model.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    /// Every key of this object that is not in `known`, with its value.
    func decodeExtras(known: Set<String>) throws -> [String: JSONValue] {
        let container = try container(keyedBy: AnyCodingKey.self)
        var extras: [String: JSONValue] = [:]
        for key in container.allKeys where !known.contains(key.stringValue) {
            extras[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return extras
    }
}

extension Encoder {
    /// Writes the pass-through keys, never overwriting a modelled key.
    func encodeExtras(_ extras: [String: JSONValue], known: Set<String>) throws {
        guard !extras.isEmpty else { return }
        var container = container(keyedBy: AnyCodingKey.self)
        for (key, value) in extras where !known.contains(key) {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
    }
}

extension CaseIterable where Self: CodingKey {
    /// The wire names of all the modelled keys.
    static var wireNames: Set<String> { Set(allCases.map(\.stringValue)) }
}
