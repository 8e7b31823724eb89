import AsyncHTTPClient
import NIOCore

/// Reads an HTTP body of server-sent events incrementally and yields the frames of an OpenAI stream.
///
/// Pull-based: each `next()` reads from the body only when no translated chunk
/// is pending, so the HTTP client's back-pressure reaches the upstream and
/// memory stays bounded by one read plus one event. The iterating task owns the
/// read, so cancelling it cancels the HTTP request.
///
/// A body that ends before any event at all (HTML, a JSON answer, nothing) is not a stream that
/// was cut but an answer that is not an event stream: ``ProviderError/Code/malformedResponse``,
/// of the same class as an unreadable complete answer.
final class EventStreamChunkSource<Translator: EventStreamTranslator>: ChunkSource {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var parser: ServerSentEventParser
    private var translator: Translator
    private let transport: UpstreamTransport
    private var pending: [StreamFrame] = []
    private var pendingIndex = 0
    private var done = false
    private let observer: (@Sendable (Int) -> Void)?
    private let status: Int
    /// Whether any event was parsed: until then the body may not be an event stream at all.
    private var sawEvent = false
    /// The body's first bytes, kept (until the first event) to say what came instead of events.
    private var head = ByteBuffer()

    static var headBytes: Int { 200 }

    init(
        body: HTTPClientResponse.Body, translator: Translator, transport: UpstreamTransport, maxEventBytes: Int,
        status: Int = 200, observer: (@Sendable (Int) -> Void)?
    ) {
        self.body = body.makeAsyncIterator()
        self.parser = ServerSentEventParser(maxEventBytes: maxEventBytes)
        self.translator = translator
        self.transport = transport
        self.status = status
        self.observer = observer
    }

    // Every open stream holds this frame, so it only awaits the body: parsing and translating
    // are kept out of line (see `Benchmarks/async-frames.py`).
    func next() async throws -> StreamFrame? {
        while true {
            if pendingIndex < pending.count {
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if done { return nil }
            let buffer: ByteBuffer?
            do {
                buffer = try await body.next()
            } catch {
                done = true
                throw transport.mapError(error)
            }
            guard let buffer else { return try endOfBody() }
            try consume(buffer)
        }
    }

    /// Parses one read of the body into ``pending``.
    @inline(never)
    private func consume(_ buffer: ByteBuffer) throws {
        if !sawEvent, head.readableBytes < Self.headBytes {
            var part = buffer.getSlice(
                at: buffer.readerIndex, length: min(buffer.readableBytes, Self.headBytes - head.readableBytes))!
            head.writeBuffer(&part)
        }
        do {
            try parser.parse(buffer) { event, data in
                guard !translator.isFinished else { return }
                sawEvent = true
                try translator.translate(event: event, data: data, into: &pending)
            }
        } catch {
            done = true
            throw transport.mapError(error)
        }
        observer?(parser.maxBufferedBytes)
        if translator.isFinished {
            // Anything after the terminal event is ignored; stop reading so the connection can be reused.
            done = true
        }
    }

    /// The body ended: `nil` after the terminal event, otherwise why the stream is not whole.
    @inline(never)
    private func endOfBody() throws -> StreamFrame? {
        done = true
        if translator.isFinished { return nil }
        if !sawEvent {
            throw transport.malformed("answer is not a server-sent event stream", body: head, status: status)
        }
        throw ProviderError(
            code: .streamTruncated, failureClass: .connection, provider: transport.provider,
            message: "stream ended before \(translator.terminalEventName)"
                + (parser.hasPartialEvent ? " (in the middle of an event)" : ""))
    }
}
