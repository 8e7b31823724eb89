/// What a proxy reads of one streamed `chat.completion.chunk` without decoding it: whether it
/// carries choices, where its `usage` object is, whether it is an error, and the model.
///
/// The scan validates the whole event as JSON (the grammar, UTF-8 and nesting limit of
/// ``ChatRequestScan``) and the shape a chunk must have: an object whose `choices` (when present)
/// is an array of objects and whose `usage` is an object or `null`. Bytes it accepts can be
/// forwarded to the caller as they came.
///
/// ```swift
/// let scan = try ChatChunkScan(bytes: event)
/// scan.choiceCount     // 1
/// scan.usageRange      // nil: no usage on this chunk
/// ```
public struct ChatChunkScan: Sendable, Hashable {
    /// The number of elements of `choices` (0 when absent or `null`).
    public var choiceCount = 0
    /// The byte range of the `usage` object, when there is one (not `null`).
    public var usageRange: Range<Int>?
    /// Whether the object has a top-level `error` key: an error event in place of a chunk.
    public var hasError = false
    /// `model`, when it is a string.
    public var model: String?

    /// Scans one event's data.
    /// - Throws: ``JSONScanError`` when the bytes are not JSON or not the shape of a chunk.
    public init(bytes: UnsafeRawBufferPointer) throws(JSONScanError) {
        var scanner = JSONByteScanner(bytes)
        scanner.skipByteOrderMark()
        guard try scanner.nextKind() == .object else { throw scanner.error("a chunk must be a JSON object") }
        var scan = ChatChunkScan(empty: ())
        try scanner.readObject { (scanner, key) throws(JSONScanError) in
            if key.equals("choices") {
                switch try scanner.nextKind() {
                case .array:
                    scan.choiceCount = try scanner.readArray { (element) throws(JSONScanError) in
                        guard try element.nextKind() == .object else {
                            throw element.error("each of `choices` must be an object")
                        }
                        try element.skipValue()
                    }
                case .null: try scanner.skipValue()
                default: throw scanner.error("`choices` must be an array")
                }
            } else if key.equals("usage") {
                switch try scanner.nextKind() {
                case .object:
                    _ = scanner.peek()
                    let start = scanner.index
                    try scanner.skipValue()
                    scan.usageRange = start..<scanner.index
                case .null: try scanner.skipValue()
                default: throw scanner.error("`usage` must be an object")
                }
            } else if key.equals("error") {
                scan.hasError = true
                try scanner.skipValue()
            } else if key.equals("model") {
                scan.model = try scanner.readStringField().value
            } else {
                try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected bytes after the JSON value") }
        self = scan
    }

    private init(empty: Void) {}
}
