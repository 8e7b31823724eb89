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
    /// The same names as UTF-8, in table order, for ``scan(_:into:)``.
    private let utf8Names: [[UInt8]]

    init(_ keys: [WireKey<Root>]) {
        precondition(keys.count <= 64, "a scan tracks the keys it has seen in 64 bits")
        self.keys = keys
        self.names = Set(keys.map(\.key.stringValue))
        self.utf8Names = keys.map { Array($0.key.stringValue.utf8) }
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

    /// Reads the object whose `{` is next into `value` as ``decode(_:into:)`` does, straight from
    /// the bytes (see ``WireScannable``): present keys in the order they come, then every missing
    /// key (and a defaulted key that is `null`) in table order. A fallback therefore sees every
    /// present key and every key filled in before it, where Codable's reading in table order shows
    /// it the keys before it only: a fallback must read only keys before it in its table (as
    /// `total_tokens` reads `prompt_tokens` and `completion_tokens`) for the two to agree.
    ///
    /// - Returns: the same flag as ``decode(_:into:)``.
    /// - Throws: when the scan declines (a key twice, a required key missing, a value it leaves
    ///   to Codable).
    func scan(_ scanner: inout JSONByteScanner, into value: inout Root) throws(JSONScanError) -> Bool {
        var seen: UInt64 = 0
        var nullDefaulted: UInt64 = 0
        var extras: [String: JSONValue] = [:]
        try scanner.readMembers(utf8Names) { (scanner, index) throws(JSONScanError) in
            seen |= 1 << index
            if try !keys[index].scan(&value, &scanner) { nullDefaulted |= 1 << index }
        } other: { (scanner, key) throws(JSONScanError) in
            let extra = try JSONValue.scanned(from: &scanner)
            if extras.updateValue(extra, forKey: key.string) != nil { throw scanner.decline("a key twice") }
        }
        var filled = false
        for (index, key) in keys.enumerated() where (seen & ~nullDefaulted) & (1 << index) == 0 {
            let kept = try key.absent(&value, scanner)
            if !kept, seen & (1 << index) == 0 { filled = true }
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
    /// Reads the key's value from the bytes (see ``WireKeys/scan(_:into:)``); `false` for a
    /// defaulted key's `null`, which ``absent`` then fills in.
    let scan: @Sendable (inout Root, inout JSONByteScanner) throws(JSONScanError) -> Bool
    /// Applies the rule for a missing key; `false` when it filled in a value that is always written.
    let absent: @Sendable (inout Root, borrowing JSONByteScanner) throws(JSONScanError) -> Bool

    /// How a value of the key's type is scanned; `nil` for a type with no scan (then the whole
    /// object is left to Codable).
    typealias ValueScan<V> = @Sendable (inout JSONByteScanner) throws(JSONScanError) -> V

    private static func scanning<V>(_ valueScan: ValueScan<V>?, into path: any WritableKeyPath<Root, V> & Sendable)
        -> @Sendable (inout Root, inout JSONByteScanner) throws(JSONScanError) -> Bool
    {
        guard let valueScan else { return { _, scanner throws(JSONScanError) in throw scanner.decline("no scan") } }
        return { root, scanner throws(JSONScanError) in
            root[keyPath: path] = try valueScan(&scanner)
            return true
        }
    }

    /// A key that must be there (a missing one is a `DecodingError`); always written.
    static func required<V: Codable & Sendable>(_ name: String, _ path: any WritableKeyPath<Root, V> & Sendable)
        -> WireKey
    {
        required(name, path, scan: nil)
    }

    /// A key that must be there, of a type with a scan.
    static func required<V: Codable & Sendable & WireScannable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable
    ) -> WireKey {
        required(name, path, scan: { scanner throws(JSONScanError) in try V.scanned(from: &scanner) })
    }

    private static func required<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, scan: ValueScan<V>?
    ) -> WireKey {
        let key = AnyCodingKey(name)
        return WireKey(
            key: key,
            read: { root, container in
                root[keyPath: path] = try container.decode(V.self, forKey: key)
                return true
            },
            write: { root, container in try container.encode(root[keyPath: path], forKey: key) },
            scan: scanning(scan, into: path),
            absent: { _, scanner throws(JSONScanError) in throw scanner.decline("`\(name)` is missing") })
    }

    /// A key that may be missing or null; written only when set.
    static func optional<V: Codable & Sendable>(_ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable)
        -> WireKey
    {
        nullable(name, path, when: { _ in false }, scan: nil)
    }

    /// A key that may be missing or null, of a type with a scan.
    static func optional<V: Codable & Sendable & WireScannable>(
        _ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable
    ) -> WireKey {
        nullable(name, path, when: { _ in false })
    }

    /// A key that may be missing or null; written as `null` when unset and `writeNull` says so.
    static func nullable<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable,
        when writeNull: @escaping @Sendable (Root) -> Bool = { _ in true }
    ) -> WireKey {
        nullable(name, path, when: writeNull, scan: nil)
    }

    /// A key that may be missing or null, of a type with a scan.
    static func nullable<V: Codable & Sendable & WireScannable>(
        _ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable,
        when writeNull: @escaping @Sendable (Root) -> Bool = { _ in true }
    ) -> WireKey {
        nullable(name, path, when: writeNull, scan: { scanner throws(JSONScanError) in try V.scanned(from: &scanner) })
    }

    private static func nullable<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V?> & Sendable,
        when writeNull: @escaping @Sendable (Root) -> Bool, scan: ValueScan<V>?
    ) -> WireKey {
        var orNull: ValueScan<V?>?
        if let scan {
            orNull = { scanner throws(JSONScanError) -> V? in
                if try scanner.consumeNull() { return nil }
                return try scan(&scanner)
            }
        }
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
            },
            scan: scanning(orNull, into: path),
            absent: { root, _ in
                root[keyPath: path] = nil
                return !writeNull(root)
            })
    }

    /// A key whose missing (or null) value is `fallback` of what was read before it; always written.
    /// `fallback` may read only keys before this one in the table (see ``WireKeys/scan(_:into:)``).
    static func defaulted<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: @escaping @Sendable (Root) -> V
    ) -> WireKey {
        defaulted(name, path, fallback, scan: nil)
    }

    /// A key whose missing (or null) value is `fallback` of what was read before it, of a type
    /// with a scan.
    static func defaulted<V: Codable & Sendable & WireScannable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: @escaping @Sendable (Root) -> V
    ) -> WireKey {
        defaulted(name, path, fallback, scan: { scanner throws(JSONScanError) in try V.scanned(from: &scanner) })
    }

    private static func defaulted<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: @escaping @Sendable (Root) -> V,
        scan: ValueScan<V>?
    ) -> WireKey {
        let key = AnyCodingKey(name)
        return WireKey(
            key: key,
            read: { root, container in
                root[keyPath: path] = try container.decodeIfPresent(V.self, forKey: key) ?? fallback(root)
                return container.contains(key)
            },
            write: { root, container in try container.encode(root[keyPath: path], forKey: key) },
            scan: { root, scanner throws(JSONScanError) in
                guard let scan else { throw scanner.decline("no scan") }
                if try scanner.consumeNull() { return false }  // filled in, in table order, by `absent`
                root[keyPath: path] = try scan(&scanner)
                return true
            },
            absent: { root, _ in
                root[keyPath: path] = fallback(root)
                return false
            })
    }

    /// A key whose missing (or null) value is `fallback`; always written.
    static func defaulted<V: Codable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: V
    ) -> WireKey {
        defaulted(name, path, { _ in fallback })
    }

    /// A key whose missing (or null) value is `fallback`, of a type with a scan.
    static func defaulted<V: Codable & Sendable & WireScannable>(
        _ name: String, _ path: any WritableKeyPath<Root, V> & Sendable, _ fallback: V
    ) -> WireKey {
        defaulted(name, path, { _ in fallback })
    }
}
