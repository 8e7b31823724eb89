import NIOCore

/// The JSON a wire value was decoded from, kept so that a proxy can send an unchanged value on
/// exactly as it came instead of encoding it again.
///
/// A request is decoded once (its model, stream flag and user route it) and an answer once (its
/// usage is costed); encoding them again only to forward them would cost as much again and
/// would reformat the caller's JSON. A value keeps the bytes with a snapshot of itself; the
/// bytes are offered only while the value still equals that snapshot, so a value changed
/// after decoding (a model remapped, a field set) is always encoded afresh.
///
/// Invisible to `==` and hashing, and never encoded: two values that differ only in where they
/// came from are equal.
struct OriginalJSON<Value: Sendable>: Sendable, Hashable {
    private final class Storage: Sendable {
        let bytes: ByteBuffer
        let decoded: Value

        init(bytes: ByteBuffer, decoded: Value) {
            self.bytes = bytes
            self.decoded = decoded
        }
    }

    private let storage: Storage?
    /// Set by a decoder that filled in a default for a missing key: then the bytes are not the
    /// value's JSON (encoding writes the default), and must not stand in for it.
    let filledDefaults: Bool

    /// No original: the value was built in code (or changed in a way that drops it).
    static var none: OriginalJSON { OriginalJSON(storage: nil, filledDefaults: false) }

    /// No original, and none may be kept: decoding filled in a default for a missing key.
    static var defaultsFilled: OriginalJSON { OriginalJSON(storage: nil, filledDefaults: true) }

    private init(storage: Storage?, filledDefaults: Bool) {
        self.storage = storage
        self.filledDefaults = filledDefaults
    }

    /// Keeps `bytes` as the JSON of `decoded`.
    init(bytes: ByteBuffer, decoded: Value) {
        storage = Storage(bytes: bytes, decoded: decoded)
        filledDefaults = false
    }

    /// The bytes, when `unchanged` says the value still equals the snapshot taken at decoding.
    func bytes(if unchanged: (Value) -> Bool) -> ByteBuffer? {
        guard let storage, unchanged(storage.decoded) else { return nil }
        return storage.bytes
    }

    static func == (lhs: OriginalJSON, rhs: OriginalJSON) -> Bool { true }

    func hash(into hasher: inout Hasher) {}
}
