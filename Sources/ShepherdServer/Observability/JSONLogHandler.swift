public import Logging
import Synchronization
public import Upstream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Each line has `time` (UTC, ISO 8601 with milliseconds), `level`, `logger` (the label) and
/// `message`, then the metadata, flattened: the logger's own, the metadata provider's (the
/// current `trace_id` and `span_id` when tracing is on) and the line's (`request_id`,
/// `shepherd_path`, `model`, `status`, `latency_ms`, `fallback` on request lines; `event` and
/// its structured reason on ramp and breaker transitions). A nested value is an object or an
/// array; every other value is a string.
///
/// Every string is passed through a ``SecretRedactor`` first, so a secret the process was
/// configured with (an API key, the admin token, a client key, a collector's credentials) is
/// `[REDACTED]` even if some message were to quote it.
///
/// ```swift
/// let redactor = SecretRedactor([adminToken, relayKey])
/// LoggingSystem.bootstrap({ label, provider in
///     JSONLogHandler(label: label, level: .info, redactor: redactor, metadataProvider: provider)
/// }, metadataProvider: nil)
/// ```
public struct JSONLogHandler: LogHandler {
    /// Where lines go: standard error by default; tests capture them.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let redactor: SecretRedactor
    private let sink: Sink

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: the logger's label, written as `logger`.
    ///   - level: the lowest level written.
    ///   - redactor: removes secrets from every string written.
    ///   - metadataProvider: adds contextual metadata (e.g. swift-otel's trace ids).
    ///   - sink: receives each line, newline included (default: standard error, one write per line).
    public init(
        label: String, level: Logger.Level = .info, redactor: SecretRedactor = SecretRedactor([]),
        metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.redactor = redactor
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        append(label, to: &line)
        line += ",\"message\":"
        append(event.message.description, to: &line)
        for key in merged.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
            line += ","
            append(key, to: &line)
            line += ":"
            append(merged[key]!, to: &line)
        }
        line += "}\n"
        sink(line)
    }

    private func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): append(text, to: &line)
        case .stringConvertible(let convertible): append(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, value) in values.enumerated() {
                if index > 0 { line += "," }
                append(value, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            line += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                append(key, to: &line)
                line += ":"
                append(dictionary[key]!, to: &line)
            }
            line += "}"
        }
    }

    private func append(_ text: String, to line: inout String) {
        Self.quote(redactor.redact(text), into: &line)
    }

    /// `text` as a JSON string literal (RFC 8259 escapes; other characters as they are, UTF-8).
    static func quote(_ text: String, into line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// Now, as `2026-11-21T10:00:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(now.tv_nsec) / 1_000_000
        let milliText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(milliText)Z"
    }

    /// Writes a line to standard error in one `write`, so that lines from several threads never interleave.
    public static let standardError: Sink = { line in
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
