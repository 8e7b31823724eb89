/// A coding key for any string: how the wire types reach their keys, modelled or not.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// How a wire object's keys are read and written: the modelled keys, in the order they are
/// written, each with its rule for a missing key; every other key of the object is kept in the
/// type's `extras` and written back unchanged (never over a modelled key).
///
/// One table a type replaces its `CodingKeys`, `init(from:)` and `encode(to:)` bodies:
///
/// ```swift
/// static let wire = WireKeys<ToolCall>([
///     .optional("index", \.index), .optional("id", \.id), .optional("type", \.type),
///     .optional("function", \.function),
/// ])
/// public init(from decoder: any Decoder) throws {
///     self.init(type: nil)
///     try Self.wire.decode(decoder, into: &self)
/// }
/// public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
/// ```
struct WireKeys<Root: WireObject>: Sendable {
    let keys: [WireKey<Root>]
    /// The modelled keys' names: everything else is an extra.
    let names: Set<String>

    init(_ keys: [WireKey<Root>]) {
        self.keys = keys
        self.names = Set(keys.map(\.key.stringValue))
    }

    /// Reads the object into `value`, which holds the values a missing key leaves alone.
    ///
    /// - Returns: whether a key that ``encode(_:to:)`` always writes was missing, so that
    ///   encoding the value again would add it (the answer is then not byte-for-byte the input).
    @discardableResult
    func decode(_ decoder: any Decoder, into value: inout Root) throws -> Bool {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var filled = false
        for key in keys where try !key.read(&value, container) { filled = true }
        var extras: [String: JSONValue] = [:]
        for key in container.allKeys where !names.contains(key.stringValue) {
            extras[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        value.extras = extras
        return filled
    }

    /// Writes the modelled keys in order, then the extras that do not collide with them.
    func encode(_ value: Root, to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for key in keys { try key.write(value, &container) }
        for (name, extra) in value.extras where !names.contains(name) {
            try container.encode(extra, forKey: AnyCodingKey(name))
        }
    }
}

/// A wire type: Codable through its ``WireKeys``, with the keys it does not model in `extras`.
protocol WireObject: Sendable {
    /// Keys this type does not model, passed through unchanged.
    var extras: [String: JSONValue] { get set }
}

/// One modelled key of a wire object and its rule: required, optional, or defaulted when missing.
struct WireKey<Root>: Sendable {
    let key: AnyCodingKey
    /// Reads the key into the value; `false` when it was missing and the key is always written.
    let read: @Sendable (inout Root, KeyedDecodingContainer<AnyCodingKey>) throws -> Bool
    let write: @Sendable (Root, inout KeyedEncodingContainer<AnyCodingKey>) throws -> Void

    /// A key that must be there (a missing one is a `DecodingError`); always written.
    static func required<V: Codable & Sendable>(_ name: String, _ path: any WritableKeyPath<Root, V> & Sendable)
        -> WireKey
    {
        let key = AnyCodingKey(name)
        return WireKey(
            key: key,
            read: { root, container in
                root[keyPath: path] = try container.decode(V.self, forKey: key)
                return true
            },
            write: { root, container in try container.encode(root[keyPath: path], forKey: key) })
    }

    /// A key that may be missing or null; written only when set.
    static func optional<V: Codable & Sendable>(_ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable)
        -> WireKey
    {
        nullable(name, path, when: { _ in false })
    }

    /// A key that may be missing or null; written as `null` when unset and `writeNull` says so.
    static func nullable<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable,
        when writeNull: @escaping @Sendable (Root) -> Bool = { _ in true }
    ) -> WireKey {
        let key = AnyCodingKey(name)
        return WireKey(
            key: key,
            read: { root, container in
                root[keyPath: path] = try container.decodeIfPresent(V.self, forKey: key)
                return container.contains(key) || !writeNull(root)
            },
            write: { root, container in
                if let value = root[keyPath: path] {
                    try container.encode(value, forKey: key)
                } else if writeNull(root) {
                    try container.encodeNil(forKey: key)
                }
            })
    }

    /// A key whose missing (or null) value is `fallback` of what was read before it; always written.
    static func defaulted<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: @escaping @Sendable (Root) -> V
    ) -> WireKey {
        let key = AnyCodingKey(name)
        return WireKey(
            key: key,
            read: { root, container in
                root[keyPath: path] = try container.decodeIfPresent(V.self, forKey: key) ?? fallback(root)
                return container.contains(key)
            },
            write: { root, container in try container.encode(root[keyPath: path], forKey: key) })
    }

    /// A key whose missing (or null) value is `fallback`; always written.
    static func defaulted<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: V
    ) -> WireKey {
        defaulted(name, path, { _ in fallback })
    }
}
