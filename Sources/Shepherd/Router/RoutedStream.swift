public import Canary
public import Resilience
import Synchronization
import Tracing
public import Upstream

/// A streamed answer on its way to the caller, with how it was routed.
///
/// Iterate it once, as chunks (``makeAsyncIterator()``) or as frames to write (``frames()``).
/// The first chunk was already received from the upstream when the stream was returned (that is
/// the commit point: before it, the router could still fail over; after it, an upstream failure
/// surfaces to the caller as it is). Its outcome is recorded in the health window when the
/// stream ends, fails, or is abandoned by the caller.
public struct RoutedStream: AsyncSequence, Sendable {
    public typealias Element = ChatChunk

    /// The path that is answering.
    public let path: TrafficPath
    /// The path the split chose.
    public let chosenPath: TrafficPath
    /// Whether a relay failure is being answered by legacy.
    public let fellBack: Bool
    /// The attempts made before this stream was opened, and its own.
    public let attempts: [RoutedAttempt]
    /// The upstream's response metadata.
    public let metadata: ResponseMetadata
    private let handoff: IteratorHandoff
    private let first: StreamFrame?
    /// Records the stream's outcome (and, when shadowed, keeps its answer).
    let recorder: StreamRecorder

    init(
        path: TrafficPath, chosenPath: TrafficPath, fellBack: Bool, attempts: [RoutedAttempt],
        metadata: ResponseMetadata, first: StreamFrame?, iterator: sending ChatChunkStream.FrameIterator,
        recorder: StreamRecorder
    ) {
        self.path = path
        self.chosenPath = chosenPath
        self.fellBack = fellBack
        self.attempts = attempts
        self.metadata = metadata
        self.first = first
        self.handoff = IteratorHandoff(iterator)
        self.recorder = recorder
        if first == nil { recorder.finish() }
    }

    /// The chunks, decoded from the frames.
    public func makeAsyncIterator() -> Iterator {
        Iterator(frames: frames(), provider: metadata.provider)
    }

    /// The frames: each chunk's server-sent event as the upstream sent it (OpenAI-compatible) or
    /// as translated, what a proxy writes to its caller without decoding.
    public func frames() -> FrameIterator {
        FrameIterator(first: first, upstream: handoff.take(), recorder: recorder)
    }

    /// Yields the first frame, then the upstream's, recording the outcome at the end.
    ///
    /// A failure after the first chunk surfaces as the upstream threw it; ``failure`` is that
    /// failure as decided when it was recorded, for a caller that maps it (a proxy's error event).
    public struct FrameIterator: AsyncIteratorProtocol {
        var first: StreamFrame?
        var upstream: ChatChunkStream.FrameIterator?
        let recorder: StreamRecorder
        /// The failure `next()` threw, decided once; `nil` until it threw.
        public internal(set) var failure: CallFailure?

        public mutating func next() async throws -> StreamFrame? {
            if let frame = first {
                first = nil
                recorder.observe(frame)
                return frame
            }
            guard upstream != nil else { return nil }
            do {
                if let frame = try await upstream!.next() {
                    recorder.observe(frame)
                    return frame
                }
                upstream = nil
                recorder.finish()
                return nil
            } catch {
                upstream = nil
                failure = recorder.fail(error)
                throw error
            }
        }
    }

    /// Yields the chunks, decoded from the frames.
    public struct Iterator: AsyncIteratorProtocol {
        var frames: FrameIterator
        let provider: String

        public mutating func next() async throws -> ChatChunk? {
            guard let frame = try await frames.next() else { return nil }
            do {
                return try frame.chunk(provider: provider)
            } catch {
                frames.upstream = nil
                frames.failure = frames.recorder.fail(error)
                throw error
            }
        }
    }
}

/// Hands the upstream iterator to the first `frames()` only: a stream is iterated once.
final class IteratorHandoff: Sendable {
    private let iterator: Mutex<ChatChunkStream.FrameIterator?>

    init(_ iterator: sending ChatChunkStream.FrameIterator) {
        self.iterator = Mutex(iterator)
    }

    func take() -> ChatChunkStream.FrameIterator? {
        iterator.withLock { iterator in
            defer { iterator = nil }
            return iterator
        }
    }
}

/// Records a stream's outcome exactly once: on its end, its failure, or its abandonment.
///
/// A class so that a stream the caller drops half-way (client disconnect) is still recorded,
/// as `cancelled`, when the last reference goes away.
final class StreamRecorder: Sendable {
    private struct State {
        var done = false
        var firstChunkAt: Duration?
        var usage: Usage?
        /// The model that answered, once the upstream said (its response head, then its usage chunk).
        var answeredModel: String?
        /// The answer so far, kept only while the stream is shadowed.
        var accumulated: ChatStreamAccumulator?
        var onShadowedFinish: (@Sendable (ChatResponse, Duration) -> Void)?
    }

    let path: TrafficPath
    let model: String
    let provider: String
    private let elapsed: @Sendable () -> Duration
    private let record: @Sendable (CallOutcome) -> Void
    private let metrics: RouterMetrics
    private let prices: PriceTable
    private let state = Mutex(State())
    /// Whether ``shadow(_:)`` asked for the answer to be kept (set once, before the first chunk is read).
    private let shadowed = Atomic<Bool>(false)
    /// The attempt's span, ended with the stream; `nil` when tracing is off.
    private let span: (any Span)?

    init<C: Clock>(
        path: TrafficPath, model: String, provider: String, start: C.Instant, clock: C, window: HealthWindow<C>,
        metrics: RouterMetrics, prices: PriceTable, span: (any Span)? = nil
    ) where C.Duration == Duration {
        self.span = span
        self.path = path
        self.model = model
        self.provider = provider
        self.elapsed = { start.duration(to: clock.now) }
        self.record = { window.record($0, on: path) }
        self.metrics = metrics
        self.prices = prices
    }

    /// The upstream's response head named the model answering.
    func answered(by model: String) {
        state.withLock { $0.answeredModel = model }
    }

    func firstChunk() {
        let at = elapsed()
        state.withLock { if $0.firstChunkAt == nil { $0.firstChunkAt = at } }
    }

    func observe(_ frame: StreamFrame) {
        // Most chunks carry no usage and most streams are not shadowed: no lock for those.
        let shadowed = shadowed.load(ordering: .acquiring)
        guard frame.usage != nil || shadowed else { return }
        // Only a shadowed stream decodes its chunks (to compare the text); the others pass through.
        let chunk = shadowed ? try? frame.chunk() : nil
        state.withLock {
            if let usage = frame.usage {
                $0.usage = usage
                if let model = frame.model { $0.answeredModel = model }
            }
            if let chunk { $0.accumulated?.add(chunk) }
        }
    }

    /// Keeps the answer as it streams and hands it, whole, to `finished` when the stream ends
    /// well (the shadow phase compares it with the relay's answer).
    func shadow(_ finished: @escaping @Sendable (ChatResponse, Duration) -> Void) {
        state.withLock {
            $0.accumulated = ChatStreamAccumulator()
            $0.onShadowedFinish = finished
        }
        shadowed.store(true, ordering: .releasing)
    }

    func finish() {
        guard let state = claim() else { return }
        let usage = state.usage
        let cost = Billing.cost(
            of: usage, answeredBy: state.answeredModel ?? model, asked: model, prices: prices)
        let latency = elapsed()
        record(
            CallOutcome(
                .success, latency: latency, timeToFirstToken: state.firstChunkAt, inputTokens: usage?.promptTokens ?? 0,
                outputTokens: usage?.completionTokens ?? 0, cost: cost, model: self.model))
        metrics.request(path: path, model: model, outcome: nil, latency: latency, ttft: state.firstChunkAt)
        metrics.usage(
            path: path, model: model, input: usage?.promptTokens ?? 0, output: usage?.completionTokens ?? 0, cost: cost)
        AttemptTracer.streamEnded(span, model: nil, usage: usage, cost: cost, timeToFirstChunk: state.firstChunkAt)
        if let accumulated = state.accumulated, let finished = state.onShadowedFinish {
            finished(accumulated.response(), latency)
        }
    }

    /// Records the stream as failed after it started: the failure is decided here, where it
    /// was seen first, and returned for the caller to keep.
    func fail(_ error: any Error) -> CallFailure {
        let failure = FailureClassifier().outcome(of: error)
        fail(failure)
        return failure
    }

    /// Records the stream as failed as `failure` decides (once; later calls do nothing).
    func fail(_ failure: CallFailure) {
        guard claim() != nil else { return }
        let latency = elapsed()
        record(CallOutcome(.failure(failure.failureClass), latency: latency, model: model))
        metrics.request(path: path, model: model, outcome: failure.failureClass, latency: latency, ttft: nil)
        AttemptTracer.failed(span, class: failure.failureClass, label: failure.label)
    }

    private func claim() -> State? {
        state.withLock { state -> State? in
            guard !state.done else { return nil }
            state.done = true
            return state
        }
    }

    deinit {
        // Abandoned before its end: the caller went away.
        if claim() != nil {
            record(CallOutcome(.failure(.cancelled), latency: elapsed(), model: model))
            metrics.request(path: path, model: model, outcome: .cancelled, latency: elapsed(), ttft: nil)
            AttemptTracer.failed(span, class: .cancelled, label: "cancelled")
        }
    }
}
