import Synchronization

/// A rolling time window of call outcomes per path, the scorer's evidence.
///
/// Time is cut into fixed buckets (by default 60 buckets of 5 seconds: the last
/// five minutes). Each bucket holds requests, successes, failures by class,
/// latency and time-to-first-token histograms, tokens and cost, and counts per
/// model (``ModelCounts``) for calls that name theirs: at most
/// ``WindowConfiguration/modelLimit`` models per bucket, later ones in an
/// `unlisted` row. A bucket is reused when time comes round to it again, so
/// memory is bounded by the number of buckets whatever the traffic. Each path has its own lock, so the
/// two paths never contend with each other; recording from many tasks at once
/// is safe.
///
/// The window reads time from an injected clock: `ContinuousClock` in
/// production, ``ManualClock`` in tests and the simulator.
///
/// ```swift
/// let window = HealthWindow(clock: ContinuousClock())
/// window.record(CallOutcome(.success, latency: .milliseconds(420)), on: .relay)
/// let relay = window.snapshot(of: .relay)
/// relay.successRate   // 1.0
/// relay.p95           // ≈ 420 ms
/// ```
public final class HealthWindow<C: Clock>: Sendable where C.Duration == Duration {
    /// The window's shape.
    public typealias Configuration = WindowConfiguration

    /// The configuration in force.
    public let configuration: Configuration
    private let clock: C
    private let epoch: C.Instant
    private let legacy: Mutex<Ring>
    private let relay: Mutex<Ring>

    /// Creates an empty window reading time from `clock`.
    public init(configuration: Configuration = .init(), clock: C) {
        self.configuration = configuration
        self.clock = clock
        self.epoch = clock.now
        self.legacy = Mutex(Ring(count: configuration.bucketCount))
        self.relay = Mutex(Ring(count: configuration.bucketCount))
    }

    /// Records one call's outcome on a path, at the clock's current time.
    public func record(_ outcome: CallOutcome, on path: TrafficPath) {
        record(outcome, on: path, at: clock.now)
    }

    /// Records one call's outcome on a path at an instant the caller already read.
    ///
    /// A router that timed the call holds the instant it ended; passing it saves a
    /// second clock read, which on a virtual machine costs more than the rest of
    /// the record together.
    public func record(_ outcome: CallOutcome, on path: TrafficPath, at instant: C.Instant) {
        let index = bucketIndex(at: instant)
        let sample = Sample(outcome)
        let limit = configuration.modelLimit
        switch path {
        case .legacy: legacy.withLock { $0.record(sample, bucketIndex: index, modelLimit: limit) }
        case .relay: relay.withLock { $0.record(sample, bucketIndex: index, modelLimit: limit) }
        }
    }

    /// The aggregate of a path over the whole window.
    public func snapshot(of path: TrafficPath) -> PathSnapshot {
        let current = bucketIndex(at: clock.now)
        switch path {
        case .legacy: return legacy.withLock { $0.snapshot(at: current) }
        case .relay: return relay.withLock { $0.snapshot(at: current) }
        }
    }

    /// Both paths at once.
    public func snapshot() -> HealthSnapshot {
        HealthSnapshot(legacy: snapshot(of: .legacy), relay: snapshot(of: .relay))
    }

    /// Judged calls (successes and failures that count) on a path since an instant.
    ///
    /// The ramp asks this for "samples in the current step". Bucket granularity: the
    /// bucket containing `since` counts whole; nothing older than the window counts.
    public func judgedCount(of path: TrafficPath, since: C.Instant) -> Int {
        let current = bucketIndex(at: clock.now)
        let oldest = max(current - Int64(configuration.bucketCount) + 1, bucketIndex(at: since))
        switch path {
        case .legacy: return legacy.withLock { $0.judged(from: oldest, at: current) }
        case .relay: return relay.withLock { $0.judged(from: oldest, at: current) }
        }
    }

    /// The index of the bucket that holds `instant` (0 for the bucket the window began in).
    public func bucketIndex(of instant: C.Instant) -> Int64 { bucketIndex(at: instant) }

    /// Bucket widths elapsed since the window began (fractional): with the coordinating
    /// database's clock read at the same moment, it fixes this window's place on a shared time base.
    public var elapsedBuckets: Double { epoch.duration(to: clock.now) / configuration.bucketWidth }

    /// The index of the bucket being filled now.
    public var currentBucketIndex: Int64 { bucketIndex(at: clock.now) }

    /// The live buckets of both paths with calls in them, from index `oldest` on, numbered on a
    /// shared time base: bucket `index` becomes number `index + offset` (see ``HealthBucket``).
    ///
    /// - Parameters:
    ///   - offset: the shared number of this window's bucket 0, fixed for the window's life.
    ///   - oldest: the first local index wanted (default: the whole window).
    public func buckets(numberedFrom offset: Int64, since oldest: Int64 = .min) -> [HealthBucket] {
        let current = bucketIndex(at: clock.now)
        let width = inSeconds(configuration.bucketWidth)
        func collect(_ ring: inout Ring, _ path: TrafficPath) -> [HealthBucket] {
            ring.advance(to: current)
            return ring.buckets
                .filter { $0.index >= 0 && $0.index >= oldest && $0.requests > 0 }
                .sorted { $0.index < $1.index }
                .map { HealthBucket(path: path, number: $0.index + offset, widthSeconds: width, $0) }
        }
        return legacy.withLock { collect(&$0, .legacy) } + relay.withLock { collect(&$0, .relay) }
    }

    private func bucketIndex(at instant: C.Instant) -> Int64 {
        // Floating-point `Duration / Duration`: exact enough for a bucket number (53 bits
        // of attoseconds-ratio) and far cheaper than the 128-bit integer division of
        // `Duration.components` on every record.
        let buckets = epoch.duration(to: instant) / configuration.bucketWidth
        return buckets > 0 ? Int64(buckets) : 0
    }
}

/// The window's shape.
public struct WindowConfiguration: Sendable, Hashable, Codable {
    /// Number of buckets. Default 60.
    public var bucketCount: Int
    /// Width of one bucket. Default 5 s. The window spans `bucketCount × bucketWidth`.
    public var bucketWidth: Duration
    /// Distinct models one bucket counts apart; calls of further models in that bucket go to its
    /// `unlisted` row. Default 32: it bounds memory (buckets × models) whatever the callers send,
    /// and sits well above the scorer's top N, which is chosen from the window's totals.
    public var modelLimit: Int

    /// The default ``modelLimit``.
    public static let defaultModelLimit = 32

    /// Creates a configuration.
    public init(bucketCount: Int = 60, bucketWidth: Duration = .seconds(5), modelLimit: Int = Self.defaultModelLimit) {
        precondition(bucketCount > 0 && bucketWidth > .zero, "a window needs at least one bucket of positive width")
        precondition(modelLimit >= 0, "a window cannot count fewer than zero models")
        self.bucketCount = bucketCount
        self.bucketWidth = bucketWidth
        self.modelLimit = modelLimit
    }

    private enum CodingKeys: String, CodingKey { case bucketCount, bucketWidth, modelLimit }

    /// Decodes a configuration; one stored before models were counted gets the default limit.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bucketCount = try container.decode(Int.self, forKey: .bucketCount)
        bucketWidth = try container.decode(Duration.self, forKey: .bucketWidth)
        modelLimit = try container.decodeIfPresent(Int.self, forKey: .modelLimit) ?? Self.defaultModelLimit
    }

    /// The span of the window.
    public var span: Duration { bucketWidth * bucketCount }
}

/// The fixed ring of buckets behind one path, with a running total of the live buckets.
///
/// The total is kept up to date as buckets expire, so a snapshot of the whole
/// window is a copy of the total (copy-on-write: no work until the next
/// record), not a merge of every bucket.
struct Ring: Sendable {
    var buckets: [WindowBucket]
    var total = WindowBucket()
    /// The newest bucket index seen; buckets at or below `newest - count` have expired.
    var newest: Int64 = -1

    init(count: Int) {
        buckets = Array(repeating: WindowBucket(), count: count)
    }

    /// Expires buckets that fell out of the window by `current`.
    mutating func advance(to current: Int64) {
        guard current > newest else { return }
        newest = current
        let oldestLive = current - Int64(buckets.count) + 1
        for slot in buckets.indices where buckets[slot].index >= 0 && buckets[slot].index < oldestLive {
            total.subtract(buckets[slot])
            buckets[slot] = WindowBucket()
        }
    }

    mutating func record(_ sample: Sample, bucketIndex: Int64, modelLimit: Int) {
        // A recorder that read the clock just before another one advanced the ring
        // records into the newest bucket rather than into (and wiping) a reused slot.
        let bucketIndex = max(bucketIndex, newest)
        advance(to: bucketIndex)
        let slot = Int(bucketIndex % Int64(buckets.count))
        if buckets[slot].index != bucketIndex {
            if buckets[slot].index >= 0 { total.subtract(buckets[slot]) }
            buckets[slot] = WindowBucket()
            buckets[slot].index = bucketIndex
        }
        // The bucket decides whether the model has a row of its own; the total follows it, so that
        // subtracting the bucket when it expires takes back exactly what it added.
        let model = buckets[slot].modelSlot(for: sample.model, limit: modelLimit)
        buckets[slot].record(sample, model: model)
        total.record(sample, model: model)
    }

    mutating func snapshot(at current: Int64) -> PathSnapshot {
        advance(to: current)
        return PathSnapshot(total)
    }

    /// Judged calls in the live buckets from `oldest` on (counts only: cheap).
    mutating func judged(from oldest: Int64, at current: Int64) -> Int {
        advance(to: current)
        var judged = 0
        for bucket in buckets where bucket.index >= oldest && bucket.index <= current {
            judged += bucket.successes + bucket.failures.againstPath
        }
        return judged
    }
}

/// A call outcome with its durations already in microseconds, converted once per record.
struct Sample {
    var status: CallOutcome.Status
    var latencyMicros: UInt64
    var timeToFirstTokenMicros: UInt64?
    var inputTokens: Int
    var outputTokens: Int
    var cost: Double
    var model: String?

    @inline(__always)
    init(_ outcome: CallOutcome) {
        model = outcome.model
        status = outcome.status
        latencyMicros = LatencyHistogram.micros(outcome.latency)
        timeToFirstTokenMicros = outcome.timeToFirstToken.map(LatencyHistogram.micros)
        inputTokens = outcome.inputTokens
        outputTokens = outcome.outputTokens
        cost = outcome.cost
    }
}

/// One bucket of the window (and, summed, the window's running total).
struct WindowBucket: Sendable {
    var index: Int64 = -1
    var requests = 0
    var successes = 0
    var failures = FailureCounts()
    var latency = LatencyHistogram()
    var timeToFirstToken = LatencyHistogram()
    var inputTokens = 0
    var outputTokens = 0
    var cost = 0.0
    /// Counts of the models this bucket tracks (see ``WindowConfiguration/modelLimit``).
    var models: [String: ModelCounts] = [:]
    /// Counts of the calls whose model came after the bucket's limit was reached.
    var unlistedModels = ModelCounts()

    /// Where a call of `model` is counted in this bucket.
    func modelSlot(for model: String?, limit: Int) -> ModelSlot {
        guard let model else { return .none }
        return models[model] != nil || models.count < limit ? .named(model) : .unlisted
    }

    mutating func record(_ outcome: Sample, model: ModelSlot) {
        switch model {
        case .none: break
        case .named(let name): models[name, default: ModelCounts()].record(outcome.status)
        case .unlisted: unlistedModels.record(outcome.status)
        }
        requests += 1
        switch outcome.status {
        case .success:
            successes += 1
            // Latency is the latency of answers: a failure's duration (a fast refusal,
            // a 30 s timeout) says more about the failure than about the path's speed,
            // and failures are judged by the success-rate checks.
            latency.record(micros: outcome.latencyMicros)
            if let ttft = outcome.timeToFirstTokenMicros { timeToFirstToken.record(micros: ttft) }
        case .failure(let failureClass):
            failures[failureClass] += 1
        }
        inputTokens += outcome.inputTokens
        outputTokens += outcome.outputTokens
        cost += outcome.cost
    }

    mutating func add(_ other: WindowBucket) {
        requests += other.requests
        successes += other.successes
        failures.add(other.failures)
        latency.add(other.latency)
        timeToFirstToken.add(other.timeToFirstToken)
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cost += other.cost
        models.add(other.models)
        unlistedModels.add(other.unlistedModels)
    }

    mutating func subtract(_ other: WindowBucket) {
        requests -= other.requests
        successes -= other.successes
        failures.subtract(other.failures)
        latency.subtract(other.latency)
        timeToFirstToken.subtract(other.timeToFirstToken)
        inputTokens -= other.inputTokens
        outputTokens -= other.outputTokens
        cost -= other.cost
        models.subtract(other.models)
        unlistedModels.subtract(other.unlistedModels)
        if requests == 0 { cost = 0 }  // no drift of floating-point dust in an empty window
    }
}
