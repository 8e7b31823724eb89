import Synchronization

/// Where a ``ChatChunkStream`` gets its frames: a class, because an iterator is
/// a single reader of a single HTTP body.
protocol ChunkSource: AnyObject {
    func next() async throws -> StreamFrame?
}

/// A ``ChunkSource`` over any async sequence of typed chunks (a test double's): each is encoded.
final class SequenceChunkSource<Base: AsyncIteratorProtocol>: ChunkSource where Base.Element == ChatChunk {
    private var base: Base
    private let encoder = StreamFrame.encoder()

    init(_ base: Base) {
        self.base = base
    }

    func next() async throws -> StreamFrame? {
        guard let chunk = try await base.next() else { return nil }
        return try StreamFrame(chunk, encoder: encoder)
    }
}

/// A ``ChunkSource`` that fails at once.
final class FailingChunkSource: ChunkSource {
    private let error: ProviderError

    init(error: ProviderError) {
        self.error = error
    }

    func next() async throws -> StreamFrame? {
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
