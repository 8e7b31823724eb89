/// The aggregate of one path over the health window: what the scorer judges.
public struct PathSnapshot: Sendable {
    /// Every call recorded, client errors and cancellations included.
    public var requests: Int { total.requests }
    /// Calls that succeeded.
    public var successes: Int { total.successes }
    /// Failures by class (client errors and cancellations included, counted apart).
    public var failures: FailureCounts { total.failures }
    /// Prompt tokens.
    public var inputTokens: Int { total.inputTokens }
    /// Completion tokens.
    public var outputTokens: Int { total.outputTokens }
    /// Spend in US dollars.
    public var cost: Double { total.cost }
    /// Latencies of successful calls.
    public var latency: LatencyHistogram { total.latency }
    /// Times to first token of successful streamed calls.
    public var timeToFirstToken: LatencyHistogram { total.timeToFirstToken }
    /// Counts per model, for the calls that named theirs (see ``HealthSnapshot/modelComparisons(top:)``
    /// for the table the scorer judges).
    public var models: [String: ModelCounts] { total.models }
    /// Calls of models a bucket could not count apart (past ``WindowConfiguration/modelLimit``).
    public var unlistedModels: ModelCounts { total.unlistedModels }

    private let total: WindowBucket

    /// An empty snapshot.
    public init() { total = WindowBucket() }

    init(_ total: WindowBucket) { self.total = total }

    /// The calls that judge the path: successes plus failures that count against it.
    public var judged: Int { successes + failures.againstPath }

    /// The calls the upstream answered: judged calls plus client errors (cancellations left out).
    public var answered: Int { judged + failures[.clientError] }

    /// Successes over judged calls, or `nil` with no judged call.
    public var successRate: Double? {
        judged == 0 ? nil : Double(successes) / Double(judged)
    }

    /// The number of calls in the latency histogram.
    public var latencySamples: Int { latency.totalCount }

    /// A latency percentile (0…100), or `nil` without samples.
    public func latency(percentile: Double) -> Duration? { latency.percentile(percentile) }

    /// A time-to-first-token percentile (0…100), or `nil` without streamed samples.
    public func timeToFirstToken(percentile: Double) -> Duration? { timeToFirstToken.percentile(percentile) }

    /// Median latency.
    public var p50: Duration? { latency(percentile: 50) }
    /// 95th percentile latency.
    public var p95: Duration? { latency(percentile: 95) }
    /// 99th percentile latency.
    public var p99: Duration? { latency(percentile: 99) }

    /// How many recorded latencies are above `threshold` (for the latency guard's proportion test).
    public func latencyCount(above threshold: Duration) -> Int { latency.count(above: threshold) }

    /// Spend per thousand calls, or `nil` without calls.
    public var costPer1kRequests: Double? {
        requests == 0 ? nil : cost / Double(requests) * 1000
    }
}

/// Both paths' aggregates at one moment.
public struct HealthSnapshot: Sendable {
    /// The baseline.
    public var legacy: PathSnapshot
    /// The canary.
    public var relay: PathSnapshot

    /// Creates a snapshot.
    public init(legacy: PathSnapshot, relay: PathSnapshot) {
        self.legacy = legacy
        self.relay = relay
    }

    /// The aggregate of one path.
    public subscript(path: TrafficPath) -> PathSnapshot {
        path == .legacy ? legacy : relay
    }
}
