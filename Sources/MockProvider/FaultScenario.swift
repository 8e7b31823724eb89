/// How the mock provider misbehaves, phase by phase over time.
///
/// A scenario is a list of ``Phase``s, each starting `at` a time since the
/// server started (or since ``MockProviderServer/setScenario(_:)``). The
/// phase in force is the last one whose `at` has passed. A phase is complete
/// in itself: a field it does not set takes the scenario's `defaults`, not the
/// previous phase's value, so an outage window is simply
/// `[{at: 0s}, {at: 60s, outage: true}, {at: 120s}]`.
///
/// Every random choice (latency, which request fails and how) comes from a
/// `SeededGenerator`, so a seed and a sequence of requests always give the
/// same faults.
///
/// ```yaml
/// name: bad-day
/// defaults:
///   latency: {p50Ms: 80, p95Ms: 300}
/// phases:
///   - at: 0s
///     errorRate: {503: 0.1, 429: 0.05}
///     retryAfter: 2s
///   - at: 60s
///     outage: true
///   - at: 120s
///     streamCutRate: 0.2
/// ```
public struct FaultScenario: Sendable, Hashable {
    /// A name for logs and the demo.
    public var name: String
    /// The phases, in order of `at`.
    public var phases: [Phase]

    /// Creates a scenario; phases are sorted by `at`, and an empty list means one healthy phase.
    public init(name: String = "custom", phases: [Phase]) {
        self.name = name
        let sorted = phases.sorted { $0.at < $1.at }
        self.phases = sorted.isEmpty ? [Phase()] : sorted
    }

    /// A scenario of one phase.
    public init(name: String = "custom", _ phase: Phase) {
        self.init(name: name, phases: [phase])
    }

    /// A provider with no faults and no latency.
    public static let healthy = FaultScenario(name: "healthy", Phase())

    /// Every stream is cut after `chunks` chunks: the connection reset (`abort`), or closed
    /// as if the answer were complete but without its terminal event (`clean`).
    public static func streamCut(afterChunks chunks: Int, mode: StreamCutMode = .abort) -> FaultScenario {
        var phase = Phase()
        phase.streamCutRate = 1
        phase.streamCutAfterChunks = chunks
        phase.streamCutMode = mode
        return FaultScenario(name: "stream-cut", phase)
    }

    /// The phase in force `elapsed` after the start, and its index.
    public func phase(at elapsed: Duration) -> (index: Int, phase: Phase) {
        var current = 0
        for (index, phase) in phases.enumerated() where phase.at <= elapsed {
            current = index
        }
        return (current, phases[current])
    }

    /// One period of the scenario.
    public struct Phase: Sendable, Hashable {
        /// When the phase starts, from the scenario's start.
        public var at: Duration = .zero
        /// Time before the answer's head (for every answer, errors included).
        public var latency: LatencyDistribution = .zero
        /// Streams: extra time between the head and the first chunk (a slow first token).
        public var firstTokenDelay: Duration = .zero
        /// Streams: time between two chunks.
        public var chunkInterval: Duration = .zero
        /// Probability of answering with each HTTP status (e.g. `[503: 0.1, 429: 0.05]`).
        public var errorRates: [Int: Double] = [:]
        /// `Retry-After` sent with 429 and 503 answers; `nil` sends none.
        public var retryAfter: Duration? = .seconds(1)
        /// Whether `Retry-After` is delay-seconds or an HTTP date.
        public var retryAfterFormat: RetryAfterFormat = .seconds
        /// Whether every request fails with ``outageStatus``.
        public var outage = false
        /// The status of an outage (503; 529 is Anthropic's "overloaded").
        public var outageStatus = 503
        /// Probability of resetting the connection instead of answering.
        public var resetRate = 0.0
        /// Probability of answering 200 with malformed JSON (a truncated body, or a broken stream event).
        public var malformedRate = 0.0
        /// What a malformed answer looks like. Default ``MalformedBody/truncated``.
        public var malformedBody: MalformedBody = .truncated
        /// Streams: probability of cutting the stream after ``streamCutAfterChunks`` chunks.
        public var streamCutRate = 0.0
        /// Streams: how many chunks are sent before a cut.
        public var streamCutAfterChunks = 2
        /// Streams: whether a cut closes the connection or ends the body cleanly without the terminal event.
        public var streamCutMode: StreamCutMode = .abort
        /// Streams: probability of stalling after ``stallAfterChunks`` chunks.
        public var stallRate = 0.0
        /// Streams: how many chunks are sent before a stall.
        public var stallAfterChunks = 1
        /// Streams: how long a stall lasts; `nil` stalls until the client goes away.
        public var stallDuration: Duration? = nil
        /// Tokens in an answer (fewer when the request's `max_tokens` is lower).
        public var completionTokens = 12
        /// The answer's text: generated from the mock's vocabulary (default), the last user
        /// message (`echo`: two mocks then agree on every request), or a fixed text.
        public var answerText: AnswerText = .generated
        /// Streams: tokens per chunk.
        public var tokensPerChunk = 1
        /// The fraction of prompt tokens reported as cached.
        public var cachedPromptFraction = 0.0
        /// When set, the phase (its latencies and its faults: outage, error rates, resets,
        /// malformed answers, stream cuts and stalls) applies only to requests for these models;
        /// others are answered at once and without faults. `nil`: every model.
        public var models: Set<String>? = nil

        /// What a model the phase does not apply to gets: the same answers (tokens, chunking,
        /// caching), no latency and no faults.
        var spared: Phase {
            var spared = Phase(at: at)
            spared.completionTokens = completionTokens
            spared.tokensPerChunk = tokensPerChunk
            spared.cachedPromptFraction = cachedPromptFraction
            return spared
        }

        /// A healthy phase starting at `at`.
        public init(at: Duration = .zero) {
            self.at = at
        }
    }
}

/// What a mock answers with (`answerText` in a fault scenario).
public enum AnswerText: Sendable, Hashable {
    /// Words of the mock's vocabulary, shifted by the request's number (the default).
    case generated
    /// The last user message, word for word.
    case echo
    /// This text, whatever was asked.
    case fixed(String)
}
