import AsyncHTTPClient
import NIOCore

/// Reads an HTTP body of server-sent events incrementally and yields OpenAI chunks.
///
/// Pull-based: each `next()` reads from the body only when no translated chunk
/// is pending, so the HTTP client's back-pressure reaches the upstream and
/// memory stays bounded by one read plus one event. The iterating task owns the
/// read, so cancelling it cancels the HTTP request.
final class EventStreamChunkSource<Translator: EventStreamTranslator>: ChunkSource {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var parser: ServerSentEventParser
    private var translator: Translator
    private let transport: UpstreamTransport
    private var pending: [ChatChunk] = []
    private var pendingIndex = 0
    private var done = false
    private let observer: (@Sendable (Int) -> Void)?

    init(
        body: HTTPClientResponse.Body, translator: Translator, transport: UpstreamTransport, maxEventBytes: Int,
        observer: (@Sendable (Int) -> Void)?
    ) {
        self.body = body.makeAsyncIterator()
        self.parser = ServerSentEventParser(maxEventBytes: maxEventBytes)
        self.translator = translator
        self.transport = transport
        self.observer = observer
    }

    func next() async throws -> ChatChunk? {
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
            guard let buffer else {
                done = true
                if translator.isFinished { return nil }
                throw ProviderError(
                    code: .streamTruncated, failureClass: .connection, provider: transport.provider,
                    message: "stream ended before \(translator.terminalEventName)"
                        + (parser.hasPartialEvent ? " (in the middle of an event)" : ""))
            }
            do {
                for event in try parser.parse(buffer) where !translator.isFinished {
                    pending.append(contentsOf: try translator.translate(event))
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
    }
}
