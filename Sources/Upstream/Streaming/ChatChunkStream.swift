public import Canary

/// A streamed answer: the chunks in the OpenAI shape, as they arrive from the upstream.
///
/// The providers return it once the upstream has answered with a success
/// status; iterating reads the HTTP body incrementally, so the first chunk
/// reaches the caller while the upstream is still generating, and memory stays
/// bounded by one read plus one event. Cancelling the iterating task, or
/// dropping the iterator, cancels the upstream request and closes its
/// connection. A stream cut before its terminal event throws
/// ``ProviderError/Code/streamTruncated``; it never ends as if it were complete.
///
/// Iterate it once: like the HTTP body under it, it cannot be replayed.
///
/// ```swift
/// let stream = try await provider.stream(request, context: CallContext())
/// var answer = ChatStreamAccumulator()
/// for try await chunk in stream {
///     answer.add(chunk)
///     print(chunk.choices.first?.delta.content ?? "", terminator: "")
/// }
/// let cost = answer.usage?.cost(model: stream.metadata.upstreamModel, prices: .defaults)
/// ```
public struct ChatChunkStream: AsyncSequence, Sendable {
    public typealias Element = ChatChunk

    /// Which provider answers and how (usage and cost stay `nil` here; see ``collect()``).
    public let metadata: ResponseMetadata
    /// The prices ``collect()`` uses to cost the answer.
    public let prices: PriceTable
    private let makeSource: @Sendable () -> any ChunkSource
    private let claim = IterationClaim()

    init(metadata: ResponseMetadata, prices: PriceTable, makeSource: @escaping @Sendable () -> any ChunkSource) {
        self.metadata = metadata
        self.prices = prices
        self.makeSource = makeSource
    }

    /// Wraps any sequence of chunks, e.g. for a test double of ``ChatProvider``.
    ///
    /// ```swift
    /// let (chunks, continuation) = AsyncThrowingStream.makeStream(of: ChatChunk.self)
    /// let stream = ChatChunkStream(metadata: metadata, chunks)
    /// ```
    public init<Base: AsyncSequence & Sendable>(
        metadata: ResponseMetadata, prices: PriceTable = .defaults, _ base: Base
    ) where Base.Element == ChatChunk {
        self.init(metadata: metadata, prices: prices) { SequenceChunkSource(base.makeAsyncIterator()) }
    }

    /// Starts reading chunks. A second iterator (of chunks or of frames) throws ``ProviderError``
    /// (code ``ProviderError/Code/invalidRequest``) instead of reading the same HTTP body twice.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(frames: frames(), provider: metadata.provider)
    }

    /// Starts reading the stream as frames: each chunk's server-sent event as it goes to a
    /// caller, passed through from an OpenAI-compatible upstream without being decoded. What a
    /// proxy writes on; ``makeAsyncIterator()`` is for reading the chunks' content.
    public func frames() -> FrameIterator {
        guard claim.claim() else {
            return FrameIterator(
                source: FailingChunkSource(
                    error: ProviderError(
                        code: .invalidRequest, failureClass: .other, provider: metadata.provider,
                        message: "a ChatChunkStream can be iterated only once")))
        }
        return FrameIterator(source: makeSource())
    }

    /// Reads the frames of a ``ChatChunkStream``.
    public struct FrameIterator: AsyncIteratorProtocol {
        private let source: any ChunkSource

        init(source: any ChunkSource) {
            self.source = source
        }

        /// The next frame, or `nil` after the terminal event.
        /// - Throws: ``ProviderError``.
        public mutating func next() async throws -> StreamFrame? {
            try await source.next()
        }
    }

    /// Reads the chunks of a ``ChatChunkStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var frames: FrameIterator
        private let provider: String

        init(frames: FrameIterator, provider: String) {
            self.frames = frames
            self.provider = provider
        }

        /// The next chunk, or `nil` after the terminal event.
        /// - Throws: ``ProviderError``.
        public mutating func next() async throws -> ChatChunk? {
            guard let frame = try await frames.next() else { return nil }
            return try frame.chunk(provider: provider)
        }
    }

    /// Reads the whole stream and assembles it into one answer, with usage and cost in its metadata.
    ///
    /// - Throws: ``ProviderError`` when the stream fails.
    public func collect() async throws -> ChatResponse {
        var accumulator = ChatStreamAccumulator()
        for try await chunk in self {
            accumulator.add(chunk)
        }
        var metadata = metadata
        if !accumulator.model.isEmpty, metadata.kind == .openAICompatible {
            metadata.upstreamModel = accumulator.model
        }
        metadata.usage = accumulator.usage
        metadata.cost = accumulator.usage.flatMap {
            Pricing.cost($0, answeredModel: metadata.upstreamModel, requestedModel: metadata.requestedModel, prices)
        }
        return accumulator.response(metadata: metadata)
    }
}
