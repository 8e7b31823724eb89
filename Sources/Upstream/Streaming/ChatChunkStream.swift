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

    /// Starts reading. A second iterator throws ``ProviderError`` (code ``ProviderError/Code/invalidRequest``)
    /// instead of reading the same HTTP body twice.
    public func makeAsyncIterator() -> AsyncIterator {
        guard claim.claim() else {
            return AsyncIterator(
                source: FailingChunkSource(
                    error: ProviderError(
                        code: .invalidRequest, failureClass: .other, provider: metadata.provider,
                        message: "a ChatChunkStream can be iterated only once")))
        }
        return AsyncIterator(source: makeSource())
    }

    /// Reads the chunks of a ``ChatChunkStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let source: any ChunkSource

        init(source: any ChunkSource) {
            self.source = source
        }

        /// The next chunk, or `nil` after the terminal event.
        /// - Throws: ``ProviderError``.
        public mutating func next() async throws -> ChatChunk? {
            try await source.next()
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
