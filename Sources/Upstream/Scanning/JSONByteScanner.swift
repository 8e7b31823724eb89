/// Why bytes are not JSON, and where.
public struct JSONScanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    public var offset: Int
    /// What was wrong there.
    public var reason: String
    /// The key, when the problem is a key that appears twice where one is read.
    public var repeatedKey: String?

    public var description: String { "\(reason) at byte \(offset)" }

    /// The reason given for `[1,]` and `{"a":1,}`: Foundation's `JSONDecoder` reads them, but they
    /// are not JSON and a strict upstream refuses them, so the scanner does too.
    public static let trailingComma = "a trailing comma (not JSON)"

    /// The reason given for bytes in a string that are not UTF-8.
    public static let invalidUTF8 = "invalid UTF-8 in a string"
}

/// A validating, non-allocating reader over JSON bytes (RFC 8259).
///
/// It checks the whole grammar (strings with their escapes and UTF-8, numbers, literals, nesting
/// up to ``maximumDepth``) while skipping values, and decodes only the strings it is asked for.
/// It is the base of ``ChatRequestScan``: reading the few fields a proxy routes on without
/// building the request.
struct JSONByteScanner: ~Copyable {
    /// The deepest nesting accepted, as Foundation's `JSONDecoder` does.
    static let maximumDepth = 512

    let bytes: UnsafeRawBufferPointer
    private(set) var index = 0
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    func error(_ reason: String) -> JSONScanError {
        JSONScanError(offset: index, reason: reason)
    }

    /// The next byte after whitespace, without consuming it; nil at the end.
    ///
    /// This and the other one-byte steps below are inlined into every caller: called out of line
    /// they were a fifth of the scan's instructions per streamed chunk (`Benchmarks/callgrind-serve.sh`).
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Skips a UTF-8 byte order mark at the start, as Foundation's readers do (RFC 8259 allows it).
    mutating func skipByteOrderMark() {
        if index == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after whitespace) or throws.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONScanError) {
        guard peek() == byte else { throw error(isAtEnd ? "unexpected end, expected \(what)" : "expected \(what)") }
        index += 1
    }

    /// Consumes `byte` (after whitespace) if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    // MARK: Containers

    /// Enters an object or array: counts the depth against ``maximumDepth``.
    mutating func enter() throws(JSONScanError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nested deeper than \(Self.maximumDepth) levels") }
    }

    mutating func leave() { depth -= 1 }

    /// Reads the members of an object whose `{` is next, handing each key to `member`, which must
    /// consume the value (for example with ``skipValue()``).
    mutating func readObject(_ member: (inout JSONByteScanner, _ key: KeyBytes) throws(JSONScanError) -> Void)
        throws(JSONScanError)
    {
        try expect(UInt8(ascii: "{"), "an object")
        try enter()
        if consume(UInt8(ascii: "}")) {
            leave()
            return
        }
        repeat {
            guard peek() == UInt8(ascii: "\"") else {
                if peek() == UInt8(ascii: "}") { throw error(JSONScanError.trailingComma) }
                throw error(isAtEnd ? "unexpected end in an object" : "expected a key string")
            }
            let key = try readKey()
            try expect(UInt8(ascii: ":"), "':' after a key")
            try member(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}' in an object")
        leave()
    }

    /// Reads an array whose `[` is next, calling `element` for each (which must consume it).
    /// - Returns: the number of elements.
    @discardableResult
    mutating func readArray(_ element: (inout JSONByteScanner) throws(JSONScanError) -> Void) throws(JSONScanError)
        -> Int
    {
        try expect(UInt8(ascii: "["), "an array")
        try enter()
        if consume(UInt8(ascii: "]")) {
            leave()
            return 0
        }
        var count = 0
        repeat {
            if count > 0, peek() == UInt8(ascii: "]") { throw error(JSONScanError.trailingComma) }
            try element(&self)
            count += 1
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']' in an array")
        leave()
        return count
    }

    // MARK: Values

    /// The kind of the next value, judged by its first byte.
    enum Kind: Sendable { case object, array, string, number, bool, null }

    mutating func nextKind() throws(JSONScanError) -> Kind {
        guard let byte = peek() else { throw error("unexpected end, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("expected a value")
        }
    }

    /// Validates and skips one value.
    mutating func skipValue() throws(JSONScanError) {
        switch try nextKind() {
        case .object: try readObject { (scanner, _) throws(JSONScanError) in try scanner.skipValue() }
        case .array: try readArray { (scanner) throws(JSONScanError) in try scanner.skipValue() }
        case .string: try skipString()
        case .number: try skipNumber()
        case .bool: _ = try readBool()
        case .null: try readLiteral("null")
        }
    }

    mutating func readBool() throws(JSONScanError) -> Bool {
        if peek() == UInt8(ascii: "t") {
            try readLiteral("true")
            return true
        }
        try readLiteral("false")
        return false
    }

    mutating func readLiteral(_ literal: StaticString) throws(JSONScanError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end in a literal") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func readString() throws(JSONScanError) -> String {
        // Without an escape the string is its bytes, already checked as UTF-8: no array between.
        let start = index
        _ = peek()
        let opening = index
        if try !skipString() {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(opening + 1)..<(index - 1)]), as: UTF8.self)
        }
        index = start
        var decoded: [UInt8] = []
        try readString(into: &decoded)
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Validates and skips a string whose `"` is next.
    /// - Returns: whether it held an escape.
    @discardableResult
    mutating func skipString() throws(JSONScanError) -> Bool {
        // Most strings a proxy skips (keys, ids, short values) are plain ASCII: a tight loop over
        // them, and the full reader, from the same start, for anything else.
        if peek() == UInt8(ascii: "\"") {
            let bytes = self.bytes
            var position = index + 1
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    index = position + 1
                    return false
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                position += 1
            }
        }
        return try scanString(nil)
    }

    /// Validates a string whose `"` is next and appends its decoded UTF-8 to `out`.
    mutating func readString(into out: inout [UInt8]) throws(JSONScanError) {
        try withUnsafeMutablePointer(to: &out) { (pointer) throws(JSONScanError) in
            _ = try scanString(pointer)
        }
    }

    /// A key as read: its raw bytes between the quotes when it has no escape, decoded otherwise.
    struct KeyBytes {
        let raw: UnsafeRawBufferPointer?
        let decoded: [UInt8]?

        func equals(_ name: StaticString) -> Bool {
            let count = name.utf8CodeUnitCount
            let start = name.utf8Start
            if let raw {
                guard raw.count == count else { return false }
                for offset in 0..<count where raw[offset] != start[offset] { return false }
                return true
            }
            guard let decoded, decoded.count == count else { return false }
            for offset in 0..<count where decoded[offset] != start[offset] { return false }
            return true
        }
    }

    mutating func readKey() throws(JSONScanError) -> KeyBytes {
        let start = index + 1
        if try skipString() {
            var decoded: [UInt8] = []
            index = start - 1
            try readString(into: &decoded)
            return KeyBytes(raw: nil, decoded: decoded)
        }
        return KeyBytes(raw: UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)]), decoded: nil)
    }

    /// Validates a string whose `"` is next and, when `out` is given, appends its decoded UTF-8.
    /// - Returns: whether it held an escape.
    private mutating func scanString(_ out: UnsafeMutablePointer<[UInt8]>?) throws(JSONScanError) -> Bool {
        try expect(UInt8(ascii: "\""), "a string")
        var escaped = false
        var runStart = index
        func flush(_ end: Int) {
            out?.pointee.append(contentsOf: bytes[runStart..<end])
        }
        while true {
            guard index < bytes.count else { throw error("unexpected end in a string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                flush(index)
                index += 1
                return escaped
            case UInt8(ascii: "\\"):
                flush(index)
                escaped = true
                index += 1
                try scanEscape(into: out)
                runStart = index
            case 0..<0x20:
                throw error("unescaped control character in a string")
            case 0x80...:
                try scanUTF8Sequence()
            default:
                index += 1
            }
        }
    }

    private mutating func scanEscape(into out: UnsafeMutablePointer<[UInt8]>?) throws(JSONScanError) {
        guard index < bytes.count else { throw error("unexpected end in an escape") }
        let byte = bytes[index]
        index += 1
        let simple: UInt8
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = byte
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("a high surrogate escape without its low surrogate") }
                index += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("a high surrogate escape without its low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a low surrogate escape without its high surrogate")
            }
            if let out, let unicode = Unicode.Scalar(scalar) {
                out.pointee.append(contentsOf: UTF8.encode(unicode)!)
            }
            return
        default:
            throw error("invalid escape")
        }
        out?.pointee.append(simple)
    }

    private mutating func readHex4() throws(JSONScanError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("unexpected end in a \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence starting at `index` (no overlongs, no surrogates,
    /// nothing above U+10FFFF).
    private mutating func scanUTF8Sequence() throws(JSONScanError) {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: throw error(JSONScanError.invalidUTF8)
        }
        guard index + length <= bytes.count else { throw error(JSONScanError.invalidUTF8) }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { throw error(JSONScanError.invalidUTF8) }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
            throw error(JSONScanError.invalidUTF8)
        }
        index += length
    }

    /// Validates and skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func skipNumber() throws(JSONScanError) {
        func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("unexpected end in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("invalid number: no digits after the decimal point") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw error("invalid number: no digits in the exponent") }
        }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): throw error("invalid number: a leading zero")
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "."):
                throw error("invalid number")
            default: break
            }
        }
    }
}
