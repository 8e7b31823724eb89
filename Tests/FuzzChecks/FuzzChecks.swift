import Canary
import Foundation
import NIOCore
import ShepherdConfig
import Upstream

/// The properties the fuzz targets check, one function per target.
///
/// Each takes the fuzzer's bytes and returns the properties that did not hold (empty when all
/// did). The libFuzzer executables in `Tests/Fuzz` trap on a non-empty answer, which the fuzzer
/// reports as a crash; `FuzzCorpusTests` runs every committed corpus file and every crash found
/// so far through the same functions on each `swift test`.
public enum FuzzChecks {
    /// The targets, by the name of their executable and corpus folder.
    public static let targets: [String: @Sendable ([UInt8]) -> [String]] = [
        "FuzzSSE": serverSentEvents,
        "FuzzAnthropic": anthropic,
        "FuzzRequestScan": requestScan,
        "FuzzWireScan": wireScan,
        "FuzzPolicy": policy,
    ]

    // MARK: SSE parser

    /// The SSE parser gives the same events and the same size verdict however the bytes are split
    /// into reads, and never buffers more than its limit.
    @Sendable public static func serverSentEvents(_ data: [UInt8]) -> [String] {
        let limit = 256
        func run(splits: [Int]) -> (events: [ServerSentEvent], tooLarge: Bool, partial: Bool, maxBuffered: Int) {
            var parser = ServerSentEventParser(maxEventBytes: limit)
            var events: [ServerSentEvent] = []
            var start = 0
            for end in splits + [data.count] where end >= start {
                do {
                    events += try parser.parse(data[start..<end])
                } catch {
                    return (events, true, parser.hasPartialEvent, parser.maxBufferedBytes)
                }
                start = end
            }
            return (events, false, parser.hasPartialEvent, parser.maxBufferedBytes)
        }
        var problems: [String] = []
        let whole = run(splits: [])
        let byteByByte = run(splits: Array(0..<data.count))
        // Split where the data says: the first byte picks a stride.
        let stride = Int(data.first ?? 1) % 7 + 1
        let strided = run(splits: Array(Swift.stride(from: 0, to: data.count, by: stride)))
        for (name, other) in [("byte by byte", byteByByte), ("in reads of \(stride)", strided)] {
            if other.tooLarge != whole.tooLarge {
                problems.append("size verdict differs \(name): \(other.tooLarge) vs \(whole.tooLarge) whole")
            } else if !whole.tooLarge {
                if other.events != whole.events { problems.append("events differ \(name)") }
                if other.partial != whole.partial { problems.append("partial-event flag differs \(name)") }
            }
        }
        for result in [whole, byteByByte, strided] where result.maxBuffered > limit + 1 && !result.tooLarge {
            problems.append("buffered \(result.maxBuffered) bytes with a limit of \(limit)")
        }
        return problems
    }

    // MARK: Anthropic translation

    /// The Anthropic translation never crashes; a translated answer has exactly one choice and
    /// encodes as JSON; a translated request alternates roles with no empty turn; a streamed
    /// answer yields chunks that encode, and nothing after `message_stop`.
    @Sendable public static func anthropic(_ data: [UInt8]) -> [String] {
        var problems: [String] = []
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        if let message = try? decoder.decode(AnthropicMessagesResponse.self, from: Data(data)),
            AnthropicTranslation.shapeProblem(of: message) == nil
        {
            let response = AnthropicTranslation.response(from: message, model: "m", created: 0)
            if response.choices.count != 1 {
                problems.append("a translated answer has \(response.choices.count) choices")
            }
            if (try? encoder.encode(response)) == nil { problems.append("a translated answer does not encode") }
        }
        if let request = try? ChatRequest(json: ByteBuffer(bytes: data)) {
            let translated = AnthropicTranslation.request(from: request, model: "m")
            for (index, message) in translated.messages.enumerated() {
                if message.content.isEmpty { problems.append("translated message \(index) is empty") }
                if index > 0, translated.messages[index - 1].role == message.role {
                    problems.append("translated messages \(index - 1) and \(index) share a role")
                }
            }
            if (try? encoder.encode(translated)) == nil { problems.append("a translated request does not encode") }
        }
        var parser = ServerSentEventParser(maxEventBytes: 1 << 16)
        var translator = AnthropicStreamTranslator(provider: "legacy", model: "m", created: 0, includeUsage: true)
        guard let events = try? parser.parse(data) else { return problems }
        for event in events {
            guard let decoded = try? decoder.decode(AnthropicStreamEvent.self, from: Data(event.data.utf8)) else {
                continue
            }
            let wasFinished = translator.isFinished
            guard let chunks = try? translator.translate(decoded) else { continue }
            if wasFinished, !chunks.isEmpty { problems.append("chunks after message_stop") }
            for chunk in chunks where (try? encoder.encode(chunk)) == nil {
                problems.append("a translated chunk does not encode")
            }
        }
        return problems
    }

    // MARK: Wire scan

    /// A request or an answer the wire scan reads is one `JSONDecoder` reads too, into an equal
    /// value that keeps its bytes (or not) the same way: the scan may decline anything, but never
    /// read something else.
    @Sendable public static func wireScan(_ data: [UInt8]) -> [String] {
        let body = ByteBuffer(bytes: data)
        var problems: [String] = []
        if let scanned = ChatRequest(scanning: body) {
            if let decoded = try? ChatRequest(decoding: body) {
                if scanned != decoded { problems.append("the scanned request differs from the decoded one") }
            } else {
                problems.append("the scan read a request JSONDecoder refuses")
            }
        }
        if let scanned = ChatResponse(scanning: body) {
            if let decoded = try? ChatResponse(decoding: body) {
                if scanned != decoded { problems.append("the scanned answer differs from the decoded one") }
                if (scanned.originalJSON == nil) != (decoded.originalJSON == nil) {
                    problems.append("the scanned answer keeps its bytes where the decoded one does not, or back")
                }
            } else {
                problems.append("the scan read an answer JSONDecoder refuses")
            }
        }
        return problems
    }

    // MARK: Request scanner

    /// The request scanner agrees with two independent readers.
    ///
    /// Validity, against `JSONSerialization` (which reads every value, where `JSONDecoder` skips
    /// the content of a repeated key's value): what it reads as an object the scanner accepts,
    /// and the other way round, except where the scanner is stricter by design and the bytes show
    /// it (a trailing comma at the reported offset; a routed key that appears twice; UTF-16 or
    /// UTF-32, which Foundation guesses from NUL bytes) or where a number is too large for a
    /// `Double` (the scanner checks the grammar, not the range).
    /// Fields, against `JSONDecoder` into `JSONValue`: the same `model`, `stream`,
    /// `stream_options.include_usage`, `user` and number of `messages`.
    @Sendable public static func requestScan(_ data: [UInt8]) -> [String] {
        let scanned = data.withUnsafeBytes { bytes in
            Result { () throws(JSONScanError) in try ChatRequestScan(bytes: bytes) }
        }
        let readsAnObject = (try? JSONSerialization.jsonObject(with: Data(data), options: [])) is NSDictionary
        var problems: [String] = []
        switch scanned {
        case .failure(let error) where readsAnObject:
            if let key = error.repeatedKey {
                // The key must be in the bytes twice, unless it was written with an escape.
                let name = key.split(separator: ".").last.map(String.init) ?? key
                let occurrences = String(decoding: data, as: UTF8.self).components(separatedBy: "\"\(name)\"").count - 1
                if occurrences < 2, !data.contains(UInt8(ascii: "\\")) {
                    problems.append("the scanner says `\(key)` appears twice, but it does not")
                }
            } else if data.contains(0) {
                // Foundation guesses UTF-16 or UTF-32 from NUL bytes (`{\0}\0` is `{}` in UTF-16LE);
                // JSON between systems is UTF-8 (RFC 8259), where a raw NUL is never valid.
            } else if error.reason == JSONScanError.trailingComma {
                if !isTrailingComma(data, at: error.offset) {
                    problems.append("a trailing comma reported where there is none: \(error)")
                }
            } else {
                problems.append("the scanner rejects a JSON object JSONSerialization reads: \(error)")
            }
        case .success where data.contains(0):
            problems.append("the scanner accepts bytes with a raw NUL, which UTF-8 JSON never holds")
        case .success where !readsAnObject:
            if !hasNumberOutOfRange(data) {
                problems.append("the scanner accepts what JSONSerialization does not read as an object")
            }
        case .success(let scan):
            if let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(data)),
                case .object(let fields) = decoded
            {
                let expected = expectedScan(fields)
                if scan != expected { problems.append("fields differ: scanned \(scan), decoded \(expected)") }
            }
        case .failure:
            break
        }
        problems += chunkScan(data, readsAnObject: readsAnObject)
        return problems
    }

    /// The chunk scanner (what a stream's pass-through reads of each event) agrees with
    /// `JSONSerialization` on validity, where neither is stricter by design, and with `JSONDecoder`
    /// on what it reads: the number of `choices`, the `usage` object (its bytes decode to the same
    /// value), an `error` key, `model`.
    static func chunkScan(_ data: [UInt8], readsAnObject: Bool) -> [String] {
        let scanned = data.withUnsafeBytes { bytes in
            Result { () throws(JSONScanError) in try ChatChunkScan(bytes: bytes) }
        }
        guard case .success(let scan) = scanned else {
            if case .failure(let error) = scanned, readsAnObject, !data.contains(0),
                error.reason != JSONScanError.trailingComma,
                let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(data)),
                case .object(let fields) = decoded,
                Self.hasChunkShape(fields)
            {
                return ["the chunk scanner rejects a chunk-shaped object JSONSerialization reads: \(error)"]
            }
            return []
        }
        if data.contains(0) { return ["the chunk scanner accepts bytes with a raw NUL"] }
        if !readsAnObject {
            return hasNumberOutOfRange(data) ? [] : ["the chunk scanner accepts what is not a JSON object"]
        }
        // A repeated key: JSONDecoder keeps one of the two, the scanner reads both; not compared.
        let text = String(decoding: data, as: UTF8.self)
        let readKeys = ["choices", "usage", "error", "model"]
        if data.contains(UInt8(ascii: "\\"))
            || readKeys.contains(where: { text.components(separatedBy: "\"\($0)\"").count > 2 })
        {
            return []
        }
        // What JSONValue cannot hold (a number out of range) is not compared.
        guard let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(data)),
            case .object(let fields) = decoded
        else { return [] }
        guard hasChunkShape(fields) else {
            return ["the chunk scanner accepts an object that is not chunk-shaped: \(text.prefix(200))"]
        }
        var problems: [String] = []
        let choices: Int = if case .array(let list)? = fields["choices"] { list.count } else { 0 }
        if scan.choiceCount != choices { problems.append("choices: scanned \(scan.choiceCount), decoded \(choices)") }
        if scan.hasError != (fields["error"] != nil) { problems.append("error key: scanned \(scan.hasError)") }
        let model: String? = if case .string(let text)? = fields["model"] { text } else { nil }
        if scan.model != model { problems.append("model: scanned \(scan.model ?? "nil"), decoded \(model ?? "nil")") }
        switch (scan.usageRange, fields["usage"]) {
        case (nil, nil), (nil, .null?): break
        case (let range?, .object(let usage)?):
            let bytes = Data(data[range])
            if (try? JSONDecoder().decode(JSONValue.self, from: bytes)) != .object(usage) {
                problems.append("the usage bytes do not decode to the usage object")
            }
        default:
            problems.append(
                "usage: scanned \(String(describing: scan.usageRange)), decoded \(String(describing: fields["usage"]))")
        }
        return problems
    }

    /// What the chunk scanner requires: `choices` an array of objects (or absent, or null), `usage` an object or null.
    static func hasChunkShape(_ fields: [String: JSONValue]) -> Bool {
        switch fields["choices"] {
        case nil, .null?: break
        case .array(let list)?: if !list.allSatisfy({ if case .object = $0 { true } else { false } }) { return false }
        default: return false
        }
        switch fields["usage"] {
        case nil, .null?, .object?: return true
        default: return false
        }
    }

    /// Whether the bytes hold a number token that a `Double` cannot hold (`1e400`).
    static func hasNumberOutOfRange(_ data: [UInt8]) -> Bool {
        let numberBytes = Set("0123456789.eE+-".utf8)
        var token: [UInt8] = []
        for byte in data + [0x20] {
            if numberBytes.contains(byte) {
                token.append(byte)
            } else {
                if !token.isEmpty, let value = Double(String(decoding: token, as: UTF8.self)), !value.isFinite {
                    return true
                }
                token.removeAll()
            }
        }
        return false
    }

    /// Whether `offset` holds `}` or `]` with only whitespace between it and a `,` before it.
    static func isTrailingComma(_ data: [UInt8], at offset: Int) -> Bool {
        guard offset < data.count, data[offset] == UInt8(ascii: "}") || data[offset] == UInt8(ascii: "]") else {
            return false
        }
        var index = offset - 1
        while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(data[index]) { index -= 1 }
        return index >= 0 && data[index] == UInt8(ascii: ",")
    }

    /// What a correct scan of a decoded object holds.
    static func expectedScan(_ fields: [String: JSONValue]) -> ChatRequestScan {
        func string(_ value: JSONValue?) -> ScannedField<String> {
            switch value {
            case nil: return .absent
            case .null?: return .null
            case .string(let text)?: return .value(text)
            default: return .wrongType
            }
        }
        func bool(_ value: JSONValue?) -> ScannedField<Bool> {
            switch value {
            case nil: return .absent
            case .null?: return .null
            case .bool(let flag)?: return .value(flag)
            default: return .wrongType
            }
        }
        var scan = ChatRequestScan()
        scan.model = string(fields["model"])
        scan.user = string(fields["user"])
        scan.stream = bool(fields["stream"])
        switch fields["messages"] {
        case nil: scan.messageCount = .absent
        case .null?: scan.messageCount = .null
        case .array(let list)?: scan.messageCount = .value(list.count)
        default: scan.messageCount = .wrongType
        }
        switch fields["stream_options"] {
        case nil: scan.streamOptions = .absent
        case .null?: scan.streamOptions = .null
        case .object(let options)?:
            var read = ChatRequestScan.StreamOptionsScan()
            read.includeUsage = bool(options["include_usage"])
            scan.streamOptions = .value(read)
        default: scan.streamOptions = .wrongType
        }
        return scan
    }

    // MARK: Policy loader

    /// The policy loader never crashes; it answers a policy or errors that name the file, and
    /// the error `parse` throws is the first of those `validate` lists.
    @Sendable public static func policy(_ data: [UInt8]) -> [String] {
        let text = String(decoding: data, as: UTF8.self)
        let file = "fuzz.yaml"
        let problems = RolloutPolicy.problems(yaml: text, file: file)
        var found: [String] = []
        for problem in problems where problem.file != file || problem.reason.isEmpty {
            found.append("an error that does not name the file or a reason: \(problem)")
        }
        do {
            _ = try RolloutPolicy.parse(yaml: text, file: file)
            if !problems.isEmpty { found.append("parse accepts what validate refuses: \(problems[0])") }
        } catch {
            // Same place; the reason's text may differ (Yams lists duplicate keys in hash order).
            if problems.first?.file != error.file || problems.first?.keyPath != error.keyPath {
                found.append("parse throws \(error), validate lists \(problems.first.map { "\($0)" } ?? "nothing")")
            }
        }
        return found
    }
}
