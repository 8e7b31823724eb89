/// One bucket of one path's health window, as a replica publishes it for the fleet.
///
/// Several processes serving one rollout each keep their own ``HealthWindow``; the evaluator
/// judges the sum of every replica's buckets inside the window, so each replica publishes its
/// buckets on a shared time base: bucket `number` spans `[number × width, (number + 1) × width)`
/// in Unix seconds on the coordinating database's clock. A bucket is published whole (every
/// count since the bucket began), so publishing it again replaces the row: an idempotent upsert,
/// never a double count.
///
/// ```swift
/// let buckets = window.buckets(numberedFrom: offset)           // this replica's live buckets
/// try await store.publishHealth(rolloutID: id, replica: me, buckets: buckets)
/// let fleet = HealthSnapshot(summing: try await store.health(rolloutID: id, since: start))
/// ```
public struct HealthBucket: Sendable, Hashable, Codable {
    /// The path.
    public var path: TrafficPath
    /// The bucket's number on the shared time base (`start / width`).
    public var number: Int64
    /// The bucket's width in seconds.
    public var widthSeconds: Double
    /// Every call recorded, client errors and cancellations included.
    public var requests: Int
    /// Calls that succeeded.
    public var successes: Int
    /// Failures by class.
    public var failures: FailureCounts
    /// Latencies of successful calls.
    public var latency: LatencyHistogram
    /// Times to first token of successful streamed calls.
    public var timeToFirstToken: LatencyHistogram
    /// Prompt tokens.
    public var inputTokens: Int
    /// Completion tokens.
    public var outputTokens: Int
    /// Spend in US dollars.
    public var cost: Double
    /// Counts per model, for calls that named theirs (`nil` when none did, and in rows published
    /// before models were counted: such a row still counts for its path, only not per model).
    public var models: [String: ModelCounts]?
    /// Calls whose model came after the replica's bucket reached its model limit (`nil` when none).
    public var unlistedModels: ModelCounts?

    /// The bucket's start, Unix seconds.
    public var startSeconds: Double { Double(number) * widthSeconds }

    /// Judged calls: successes and the failures that count against the path.
    public var judged: Int { successes + failures.againstPath }

    init(path: TrafficPath, number: Int64, widthSeconds: Double, _ bucket: WindowBucket) {
        self.path = path
        self.number = number
        self.widthSeconds = widthSeconds
        requests = bucket.requests
        successes = bucket.successes
        failures = bucket.failures
        latency = bucket.latency
        timeToFirstToken = bucket.timeToFirstToken
        inputTokens = bucket.inputTokens
        outputTokens = bucket.outputTokens
        cost = bucket.cost
        models = bucket.models.isEmpty ? nil : bucket.models
        unlistedModels = bucket.unlistedModels.isEmpty ? nil : bucket.unlistedModels
    }

    var windowBucket: WindowBucket {
        var bucket = WindowBucket()
        bucket.index = number
        bucket.requests = requests
        bucket.successes = successes
        bucket.failures = failures
        bucket.latency = latency
        bucket.timeToFirstToken = timeToFirstToken
        bucket.inputTokens = inputTokens
        bucket.outputTokens = outputTokens
        bucket.cost = cost
        bucket.models = models ?? [:]
        bucket.unlistedModels = unlistedModels ?? ModelCounts()
        return bucket
    }
}

extension HealthSnapshot {
    /// The sum of published buckets, per path: the fleet's window as the evaluator judges it.
    ///
    /// The caller chooses the buckets (those inside the window, on the database's clock);
    /// buckets of a replica that died still count, because that traffic happened.
    public init(summing buckets: some Sequence<HealthBucket>) {
        var legacy = WindowBucket()
        var relay = WindowBucket()
        for bucket in buckets {
            switch bucket.path {
            case .legacy: legacy.add(bucket.windowBucket)
            case .relay: relay.add(bucket.windowBucket)
            }
        }
        self.init(legacy: PathSnapshot(legacy), relay: PathSnapshot(relay))
    }
}
