import Synchronization

/// Where a ``ChatChunkStream`` gets its chunks: a class, because an iterator is
/// a single reader of a single HTTP body.
protocol ChunkSource: AnyObject {
    func next() async throws -> ChatChunk?
}

/// A ``ChunkSource`` over any async sequence of chunks.
final class SequenceChunkSource<Base: AsyncIteratorProtocol>: ChunkSource where Base.Element == ChatChunk {
    private var base: Base

    init(_ base: Base) {
        self.base = base
    }

    func next() async throws -> ChatChunk? {
        try await base.next()
    }
}

/// A ``ChunkSource`` that fails at once.
final class FailingChunkSource: ChunkSource {
    private let error: ProviderError

    init(error: ProviderError) {
        self.error = error
    }

    func next() async throws -> ChatChunk? {
        throw error
    }
}

/// Lets exactly one iterator read a stream.
final class IterationClaim: Sendable {
    private let claimed = Atomic<Bool>(false)

    /// `true` the first time only.
    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}
