import NIOCore

/// A wire type that can be read straight from JSON bytes, without `JSONDecoder`.
///
/// The proxy reads every request and every answer. Through Codable that is the largest part of
/// its own CPU per short answer (about 18% of the process in a profile at 16 connections:
/// existential containers, generic metadata, key paths). A scan reads the same bytes in one pass
/// with ``JSONByteScanner``, into the same value.
///
/// A scan reads only JSON it can prove `JSONDecoder` reads into the same value, and declines
/// everything else by throwing: a key written twice, a number that is not plain (an `Int` written
/// `1.0` or `1e2`, a `JSONValue` number with no fraction written with one), a value of the wrong
/// type, bytes that are not strict JSON. The caller then decodes with Codable as before, so that
/// path, with its error messages, stays the only one for anything unusual. `FuzzWireScan` checks
/// that a value the scan accepts is the value `JSONDecoder` gives.
protocol WireScannable {
    /// Reads one value whose first byte is next; throws when the scan declines.
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Self
}

extension WireScannable {
    /// The value of a whole JSON document, or `nil` when the scan declines.
    static func scanned(json: ByteBuffer) -> Self? {
        json.withUnsafeReadableBytes { scanned(bytes: $0) }
    }

    /// The value of a whole JSON document in `bytes`, or `nil` when the scan declines.
    static func scanned(bytes: UnsafeRawBufferPointer) -> Self? {
        var scanner = JSONByteScanner(bytes)
        scanner.skipByteOrderMark()
        guard let value = try? scanned(from: &scanner) else { return nil }
        scanner.skipWhitespace()
        return scanner.isAtEnd ? value : nil
    }
}

extension JSONByteScanner {
    /// The error a scan throws for JSON it leaves to Codable.
    func decline(_ reason: String) -> JSONScanError {
        error("left to Codable: \(reason)")
    }

    /// Consumes a `null` when it is next.
    mutating func consumeNull() throws(JSONScanError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try readLiteral("null")
        return true
    }

    /// The raw text of a number that is next.
    mutating func numberText() throws(JSONScanError) -> UnsafeRawBufferPointer {
        guard try nextKind() == .number else { throw decline("not a number") }
        let start = index
        try skipNumber()
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    /// An integer written as plain digits (`-?[0-9]+`) that fits `T`; declines anything else,
    /// `-0` included.
    mutating func readInteger<T: FixedWidthInteger & SignedInteger>(_: T.Type) throws(JSONScanError) -> T {
        try integer(T.self, from: numberText())
    }

    /// A finite number, parsed as the standard library parses it (correctly rounded, as
    /// Foundation's reader does).
    mutating func readDouble() throws(JSONScanError) -> Double {
        try double(from: numberText())
    }

    /// `text` (a number's, as ``numberText()`` read it) as plain digits that fit `T`.
    func integer<T: FixedWidthInteger & SignedInteger>(_: T.Type, from text: UnsafeRawBufferPointer)
        throws(JSONScanError) -> T
    {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        var value: T = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw decline("not a plain integer") }
            let digit = T(byte - UInt8(ascii: "0"))
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { throw decline("an integer out of range") }
            value = next
        }
        if negative, value == 0 { throw decline("-0") }
        return value
    }

    /// `text` (a number's, as ``numberText()`` read it) as a finite `Double`.
    func double(from text: UnsafeRawBufferPointer) throws(JSONScanError) -> Double {
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw decline("a number out of range")
        }
        return value
    }
}

extension JSONByteScanner.KeyBytes {
    /// Whether the key is `name`, given as UTF-8.
    func equals(_ name: [UInt8]) -> Bool {
        if let raw { return raw.elementsEqual(name) }
        return decoded == name
    }

    /// The key as a string.
    var string: String {
        if let raw { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: decoded ?? [], as: UTF8.self)
    }
}

// MARK: Values

extension String: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> String {
        guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.decline("not a string") }
        return try scanner.readString()
    }
}

extension Bool: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Bool {
        guard try scanner.nextKind() == .bool else { throw scanner.decline("not a Boolean") }
        return try scanner.readBool()
    }
}

extension Int: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Int {
        try scanner.readInteger(Int.self)
    }
}

extension Int64: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Int64 {
        try scanner.readInteger(Int64.self)
    }
}

extension Double: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Double {
        try scanner.readDouble()
    }
}

extension Array: WireScannable where Element: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> [Element] {
        guard try scanner.nextKind() == .array else { throw scanner.decline("not an array") }
        var elements: [Element] = []
        try scanner.readArray { (scanner) throws(JSONScanError) in elements.append(try Element.scanned(from: &scanner))
        }
        return elements
    }
}

extension JSONValue: WireScannable {
    /// As ``JSONValue``'s `init(from:)` reads it: an integer that fits `Int64` is `.integer`, any
    /// other number `.number`. A number with a fraction or exponent but no fractional value
    /// (`2.0`, `1e3`) is declined: whether Foundation reads it as an `Int64` is its detail.
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> JSONValue {
        switch try scanner.nextKind() {
        case .null:
            try scanner.readLiteral("null")
            return .null
        case .bool: return .bool(try scanner.readBool())
        case .string: return .string(try scanner.readString())
        case .number: return try number(&scanner)
        case .array: return .array(try [JSONValue].scanned(from: &scanner))
        case .object:
            var members: [String: JSONValue] = [:]
            try scanner.readObject { (scanner, key) throws(JSONScanError) in
                let value = try JSONValue.scanned(from: &scanner)
                if members.updateValue(value, forKey: key.string) != nil { throw scanner.decline("a key twice") }
            }
            return .object(members)
        }
    }

    private static func number(_ scanner: inout JSONByteScanner) throws(JSONScanError) -> JSONValue {
        let text = try scanner.numberText()
        if !text.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            return .integer(try scanner.integer(Int64.self, from: text))
        }
        let value = try scanner.double(from: text)
        guard value.rounded(.towardZero) != value else {
            throw scanner.decline("a number Foundation might read as an integer")
        }
        return .number(value)
    }
}

extension ChatRole: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ChatRole {
        ChatRole(rawValue: try String.scanned(from: &scanner))
    }
}

extension MessageContent: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> MessageContent {
        if scanner.peek() == UInt8(ascii: "\"") { return .text(try scanner.readString()) }
        return .parts(try [ContentPart].scanned(from: &scanner))
    }
}

extension StopSequences: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> StopSequences {
        if scanner.peek() == UInt8(ascii: "\"") { return StopSequences(stringLiteral: try scanner.readString()) }
        return StopSequences(try [String].scanned(from: &scanner))
    }
}

// MARK: Structs with synthesised Codable

extension JSONByteScanner {
    /// Reads an object whose members are `names` (each at most once: a key twice is declined),
    /// handing each to `member` with its index and every other key to `other`. The default skips
    /// them (validated), as a synthesised `init(from:)` ignores them.
    mutating func readMembers(
        _ names: [[UInt8]], _ member: (inout JSONByteScanner, _ index: Int) throws(JSONScanError) -> Void,
        other: (inout JSONByteScanner, KeyBytes) throws(JSONScanError) -> Void = { (scanner, _) throws(JSONScanError) in
            try scanner.skipValue()
        }
    ) throws(JSONScanError) {
        guard try nextKind() == .object else { throw decline("not an object") }
        var seen: UInt64 = 0
        try readObject { (scanner, key) throws(JSONScanError) in
            guard let index = names.firstIndex(where: { key.equals($0) }) else { return try other(&scanner, key) }
            guard seen & (1 << index) == 0 else { throw scanner.decline("a key twice") }
            seen |= 1 << index
            try member(&scanner, index)
        }
    }

    /// An optional member as synthesised Codable reads it: `null` is `nil`.
    mutating func optional<V: WireScannable>(_: V.Type) throws(JSONScanError) -> V? {
        try consumeNull() ? nil : V.scanned(from: &self)
    }
}

extension Tool.Function: WireScannable {
    private static let names = ["name", "description", "parameters", "strict"].map { Array($0.utf8) }

    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Tool.Function {
        var name: String?
        var function = Tool.Function(name: "")
        try scanner.readMembers(names) { (scanner, index) throws(JSONScanError) in
            switch index {
            case 0: name = try String.scanned(from: &scanner)
            case 1: function.description = try scanner.optional(String.self)
            case 2: function.parameters = try scanner.optional(JSONValue.self)
            default: function.strict = try scanner.optional(Bool.self)
            }
        }
        guard let name else { throw scanner.decline("no name") }
        function.name = name
        return function
    }
}

extension ToolCall.Function: WireScannable {
    private static let names = ["name", "arguments"].map { Array($0.utf8) }

    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ToolCall.Function {
        var function = ToolCall.Function()
        try scanner.readMembers(names) { (scanner, index) throws(JSONScanError) in
            if index == 0 {
                function.name = try scanner.optional(String.self)
            } else {
                function.arguments = try scanner.optional(String.self)
            }
        }
        return function
    }
}

extension ContentPart.ImageURL: WireScannable {
    private static let names = ["url", "detail"].map { Array($0.utf8) }

    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ContentPart.ImageURL {
        var url: String?
        var detail: String?
        try scanner.readMembers(names) { (scanner, index) throws(JSONScanError) in
            if index == 0 {
                url = try String.scanned(from: &scanner)
            } else {
                detail = try scanner.optional(String.self)
            }
        }
        guard let url else { throw scanner.decline("no url") }
        return ContentPart.ImageURL(url: url, detail: detail)
    }
}

// MARK: Wire objects

extension WireKeys {
    /// A wire object's value, read through the table.
    func scanned(from scanner: inout JSONByteScanner, blank: Root) throws(JSONScanError) -> Root {
        var value = blank
        _ = try scan(&scanner, into: &value)
        return value
    }
}

extension ChatMessage: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ChatMessage {
        try wire.scanned(from: &scanner, blank: ChatMessage(role: .user))
    }
}

extension ContentPart: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ContentPart {
        try wire.scanned(from: &scanner, blank: ContentPart(type: ""))
    }
}

extension ToolCall: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ToolCall {
        try wire.scanned(from: &scanner, blank: ToolCall(type: nil))
    }
}

extension Tool: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Tool {
        try wire.scanned(from: &scanner, blank: Tool(function: Function(name: "")))
    }
}

extension StreamOptions: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> StreamOptions {
        try wire.scanned(from: &scanner, blank: StreamOptions())
    }
}

extension ResponseFormat: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ResponseFormat {
        try wire.scanned(from: &scanner, blank: ResponseFormat(type: ""))
    }
}

extension Usage.PromptDetails: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Usage.PromptDetails {
        try wire.scanned(from: &scanner, blank: Usage.PromptDetails())
    }
}

extension Usage.CompletionDetails: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Usage.CompletionDetails {
        try wire.scanned(from: &scanner, blank: Usage.CompletionDetails())
    }
}

extension Usage: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> Usage {
        try wire.scanned(from: &scanner, blank: Usage(promptTokens: 0, completionTokens: 0))
    }
}

extension ChatRequest: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ChatRequest {
        try wire.scanned(from: &scanner, blank: ChatRequest(model: "", messages: []))
    }
}

extension ChatResponse.Choice: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ChatResponse.Choice {
        var choice = ChatResponse.Choice(message: ChatMessage(role: .assistant))
        if try wire.scan(&scanner, into: &choice) { choice.original = .defaultsFilled }
        return choice
    }
}

extension ChatResponse: WireScannable {
    static func scanned(from scanner: inout JSONByteScanner) throws(JSONScanError) -> ChatResponse {
        var response = ChatResponse(id: "", created: 0, model: "", choices: [])
        if try wire.scan(&scanner, into: &response) { response.original = .defaultsFilled }
        return response
    }
}
