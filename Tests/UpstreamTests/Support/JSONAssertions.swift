import Foundation
import Testing
import Upstream

enum JSON {
    /// Parses JSON text into a comparable value (key order does not matter).
    static func value(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Encodes a value and parses it back as a comparable JSON value.
    static func value(of encodable: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(encodable))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
