public import NIOCore

/// A field as found in a JSON object: absent, `null`, of the expected type, or of another.
public enum ScannedField<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The key is not there.
    case absent
    /// The key is there with `null`.
    case null
    /// The key is there with a value of the expected type.
    case value(Value)
    /// The key is there with a value of another type.
    case wrongType

    /// The value when it has the expected type.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// The fields of a chat-completions request that a proxy routes on, read from the body's bytes
/// without decoding the request: `model`, `stream`, `stream_options.include_usage`, `user`,
/// and how many `messages` there are.
///
/// The scan validates the whole body as JSON (the same grammar, UTF-8 and nesting limit as
/// Foundation's `JSONDecoder`), so bytes it accepts can be forwarded as they are. A field it reads
/// that appears twice is an error: `JSONDecoder` keeps the first, most upstreams the last, so the
/// proxy would route and price one model while the upstream answered with another.
///
/// ```swift
/// let scan = try ChatRequestScan(json: body)
/// scan.model          // .value("gpt-4.1")
/// scan.isStreaming    // true
/// ```
public struct ChatRequestScan: Sendable, Hashable {
    /// `model`.
    public var model: ScannedField<String> = .absent
    /// `stream`.
    public var stream: ScannedField<Bool> = .absent
    /// `stream_options` (an object), or its other states.
    public var streamOptions: ScannedField<StreamOptionsScan> = .absent
    /// `user`.
    public var user: ScannedField<String> = .absent
    /// `messages`: the number of elements when it is an array.
    public var messageCount: ScannedField<Int> = .absent

    /// What the scan reads of `stream_options`.
    public struct StreamOptionsScan: Sendable, Hashable {
        /// `stream_options.include_usage`.
        public var includeUsage: ScannedField<Bool> = .absent

        /// Creates a value with `include_usage` absent.
        public init() {}
    }

    /// Whether the caller asked for a stream.
    public var isStreaming: Bool { stream.value ?? false }

    /// Whether the caller asked for a final usage chunk on a stream.
    public var includeUsage: Bool { streamOptions.value?.includeUsage.value ?? false }

    /// Creates an empty scan (every field absent).
    public init() {}

    /// Scans a request body.
    /// - Throws: ``JSONScanError`` when the body is not JSON or not an object.
    public init(json: ByteBuffer) throws(JSONScanError) {
        self = try json.withUnsafeReadableBytes { (bytes) throws(JSONScanError) in try Self(bytes: bytes) }
    }

    /// Scans a request body.
    /// - Throws: ``JSONScanError`` when the bytes are not JSON or not an object.
    public init(bytes: UnsafeRawBufferPointer) throws(JSONScanError) {
        var scanner = JSONByteScanner(bytes)
        scanner.skipByteOrderMark()
        var scan = ChatRequestScan()
        guard try scanner.nextKind() == .object else { throw scanner.error("the body must be a JSON object") }
        var seen: Set<String> = []
        try scanner.readObject { (scanner, key) throws(JSONScanError) in
            if key.equals("model") {
                try scanner.once("model", &seen)
                scan.model = try scanner.readStringField()
            } else if key.equals("stream") {
                try scanner.once("stream", &seen)
                scan.stream = try scanner.readBoolField()
            } else if key.equals("user") {
                try scanner.once("user", &seen)
                scan.user = try scanner.readStringField()
            } else if key.equals("messages") {
                try scanner.once("messages", &seen)
                scan.messageCount = try scanner.readField(.array) { scanner throws(JSONScanError) in
                    try scanner.readArray { (s) throws(JSONScanError) in try s.skipValue() }
                }
            } else if key.equals("stream_options") {
                try scanner.once("stream_options", &seen)
                scan.streamOptions = try scanner.readField(.object) { scanner throws(JSONScanError) in
                    var options = StreamOptionsScan()
                    var seenInOptions: Set<String> = []
                    try scanner.readObject { (scanner, key) throws(JSONScanError) in
                        if key.equals("include_usage") {
                            try scanner.once("stream_options.include_usage", &seenInOptions)
                            options.includeUsage = try scanner.readBoolField()
                        } else {
                            try scanner.skipValue()
                        }
                    }
                    return options
                }
            } else {
                try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected bytes after the JSON value") }
        self = scan
    }
}

extension JSONByteScanner {
    /// Records that `name` was read, or throws when it was read before.
    func once(_ name: StaticString, _ seen: inout Set<String>) throws(JSONScanError) {
        let text = name.description
        guard seen.insert(text).inserted else {
            throw JSONScanError(offset: index, reason: "`\(text)` appears twice", repeatedKey: text)
        }
    }

    mutating func readStringField() throws(JSONScanError) -> ScannedField<String> {
        try readField(.string) { scanner throws(JSONScanError) in try scanner.readString() }
    }

    mutating func readBoolField() throws(JSONScanError) -> ScannedField<Bool> {
        try readField(.bool) { scanner throws(JSONScanError) in try scanner.readBool() }
    }

    /// The next value when it is of `kind`; `null` and any other kind are skipped and said so.
    fileprivate mutating func readField<Value>(
        _ kind: Kind, _ read: (inout JSONByteScanner) throws(JSONScanError) -> Value
    ) throws(JSONScanError) -> ScannedField<Value> {
        let found = try nextKind()
        if found == kind { return .value(try read(&self)) }
        try skipValue()
        return found == .null ? .null : .wrongType
    }
}
