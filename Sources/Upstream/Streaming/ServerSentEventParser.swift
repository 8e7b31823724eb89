public import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An incremental parser for `text/event-stream` bodies (the WHATWG HTML "event stream interpretation").
///
/// Bytes go in as they arrive, in reads of any size; events come out as soon
/// as their terminating blank line has been read. Lines end with `\n`, `\r\n`
/// or `\r`, including a `\r\n` split between two reads; `:` comments are
/// skipped; several `data:` lines make one event joined by `\n`; `event:`,
/// `id:` and `retry:` are kept. At most one line and one event's data are
/// buffered: ``maxBufferedBytes`` records the high-water mark and
/// ``maxEventBytes`` bounds it, so a hostile or broken upstream cannot make the
/// client hold an unbounded answer.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// let events = try parser.parse(Array("data: {\"a\":1}\n\ndata: [DO".utf8))  // one event
/// let more = try parser.parse(Array("NE]\n\n".utf8))                          // [DONE]
/// ```
public struct ServerSentEventParser: Sendable {
    /// Thrown when one line or one event's data exceeds ``maxEventBytes``.
    public struct EventTooLarge: Error, Sendable, Hashable, CustomStringConvertible {
        /// The configured limit.
        public var limit: Int
        public var description: String { "server-sent event larger than \(limit) bytes" }
    }

    /// The largest event (data plus the line being read) the parser will buffer.
    public let maxEventBytes: Int
    /// The most bytes buffered at any time so far.
    public private(set) var maxBufferedBytes = 0
    /// The number of `:` comment lines seen (keep-alives).
    public private(set) var commentCount = 0

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    private var lastEventID: String?
    private var retry: Int?
    private var previousWasCR = false

    /// Creates a parser.
    /// - Parameter maxEventBytes: the largest event it will buffer (default 16 MiB).
    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// The bytes buffered now: the partial line plus the pending event's data.
    public var bufferedBytes: Int { line.count + data.count }

    /// Whether bytes of an event that has not been dispatched yet are buffered
    /// (at the end of the body this means the stream was cut mid-event).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    /// Feeds the next bytes of the body.
    /// - Returns: the events completed by these bytes, in order.
    /// - Throws: ``EventTooLarge``.
    public mutating func parse(_ buffer: ByteBuffer) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try buffer.withUnsafeReadableBytes { try feed($0, into: &events) }
        return events
    }

    /// Feeds the next bytes of the body, handing each completed event's type and data bytes to
    /// `onEvent` without making a ``ServerSentEvent`` (the data bytes are valid during the call).
    /// - Throws: ``EventTooLarge``, or what `onEvent` throws.
    mutating func parse(
        _ buffer: ByteBuffer, onEvent: (_ event: String?, _ data: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try buffer.withUnsafeReadableBytes { try feed($0) { event, data, _, _ in try onEvent(event, data) } }
    }

    /// Where completed events go: their type, data bytes, last id and retry.
    private typealias Sink = (String?, UnsafeRawBufferPointer, String?, Int?) throws -> Void

    /// Feeds the next bytes of the body.
    /// - Returns: the events completed by these bytes, in order.
    /// - Throws: ``EventTooLarge``.
    public mutating func parse(_ bytes: some Collection<UInt8>) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        let handled = try bytes.withContiguousStorageIfAvailable { storage -> Bool in
            try feed(UnsafeRawBufferPointer(storage), into: &events)
            return true
        }
        if handled != true {
            try Array(bytes).withUnsafeBytes { try feed($0, into: &events) }
        }
        return events
    }

    private mutating func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [ServerSentEvent]) throws {
        try feed(bytes) { event, data, id, retry in
            events.append(
                ServerSentEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id, retry: retry))
        }
    }

    private mutating func feed(_ bytes: UnsafeRawBufferPointer, sink: Sink) throws {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var start = 0
        var index = 0
        let count = bytes.count
        if previousWasCR, count > 0, bytes[0] == lf {
            // The LF of a CRLF split between two reads: the line already ended at the CR.
            start = 1
            index = 1
        }
        previousWasCR = false
        while let end = Self.lineEnd(in: bytes, from: index) {
            index = end
            if line.isEmpty {
                // The whole line is in this read: read it where it is, without copying it.
                try checkSize(lineBytes: index - start)
                try processLine(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), sink)
            } else {
                line.append(contentsOf: bytes[start..<index])
                try checkSize()
                let carried = line
                line.removeAll(keepingCapacity: line.capacity <= 4096)
                try carried.withUnsafeBytes { try processLine($0, sink) }
            }
            if bytes[index] == cr {
                if index + 1 < count {
                    if bytes[index + 1] == lf { index += 1 }
                } else {
                    previousWasCR = true
                }
            }
            index += 1
            start = index
        }
        if start < count {
            line.append(contentsOf: bytes[start..<count])
            try checkSize()
        }
    }

    /// The offset of the first CR or LF at or after `from`, found with `memchr` (a byte-at-a-time
    /// loop here was about 2,000 instructions of a 180-byte streamed chunk, callgrind-serve.sh).
    @inline(__always)
    private static func lineEnd(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress else { return nil }
        let rest = bytes.count - from
        let lf = memchr(base + from, Int32(UInt8(ascii: "\n")), rest)
        let limit = lf.map { base.distance(to: UnsafeRawPointer($0)) - from } ?? rest
        if limit > 0, let cr = memchr(base + from, Int32(UInt8(ascii: "\r")), limit) {
            return base.distance(to: UnsafeRawPointer(cr))
        }
        return lf.map { base.distance(to: UnsafeRawPointer($0)) }
    }

    /// Checks the bytes held: the partial line (or `lineBytes`, a line read in place, counted
    /// as if it had been buffered so that the verdict does not depend on how reads split) plus
    /// the event's data.
    private mutating func checkSize(lineBytes: Int? = nil) throws {
        let buffered = (lineBytes ?? line.count) + data.count
        if buffered > maxBufferedBytes { maxBufferedBytes = buffered }
        if buffered > maxEventBytes { throw EventTooLarge(limit: maxEventBytes) }
    }

    private mutating func processLine(_ line: UnsafeRawBufferPointer, _ sink: Sink) throws {
        if line.isEmpty {
            try dispatch(sink)
            return
        }
        if line[0] == UInt8(ascii: ":") {
            commentCount += 1
            return
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = UnsafeRawBufferPointer(rebasing: line[..<(colon ?? line.count)])
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        }
    }

    private mutating func dispatch(_ sink: Sink) throws {
        defer {
            data.removeAll(keepingCapacity: data.capacity <= 65_536)
            hasData = false
            eventType = nil
            retry = nil
        }
        guard hasData else { return }
        let event = eventType.flatMap { $0.isEmpty ? nil : $0 }
        let (id, retry) = (lastEventID, retry)
        try data.withUnsafeBytes { try sink(event, $0, id, retry) }
    }
}
