/// A traffic and fault script for `shepherd simulate`: how many requests, how each path behaves, and what changes when.
///
/// ```yaml
/// name: relay-outage
/// duration: 90m
/// traffic: { requestsPerSecond: 20, keyedShare: 0.9, users: 5000 }
/// legacy:  { successRate: 0.995, latency: { p50: 900ms, p95: 2.5s } }
/// relay:   { successRate: 0.995, latency: { p50: 700ms, p95: 2s } }
/// events:
///   - at: 40m
///     note: the relay goes down
///     relay: { successRate: 0, failures: { connection: 1 } }
/// ```
public struct Scenario: Sendable, Hashable {
    /// The traffic offered to the router.
    public struct Traffic: Sendable, Hashable {
        /// Mean arrival rate (Poisson arrivals).
        public var requestsPerSecond: Double
        /// Share of requests carrying a routing key (the rest are split at random).
        public var keyedShare: Double
        /// Distinct routing keys.
        public var users: Int

        public init(requestsPerSecond: Double = 10, keyedShare: Double = 0.9, users: Int = 5000) {
            self.requestsPerSecond = requestsPerSecond
            self.keyedShare = keyedShare
            self.users = users
        }
    }

    /// How one path behaves.
    public struct PathBehaviour: Sendable, Hashable {
        /// Probability that a call succeeds.
        public var successRate: Double
        /// Median latency.
        public var p50: Duration
        /// 95th percentile latency (latencies are log-normal through p50 and p95).
        public var p95: Duration
        /// How failures split between classes (weights, normalised).
        public var failureMix: [FailureClass: Double]

        public init(
            successRate: Double = 0.995, p50: Duration = .milliseconds(800), p95: Duration = .seconds(2),
            failureMix: [FailureClass: Double] = [.serverError: 0.6, .timeout: 0.2, .rateLimited: 0.2]
        ) {
            self.successRate = successRate
            self.p50 = p50
            self.p95 = p95
            self.failureMix = failureMix
        }
    }

    /// A change at a point in time; only the fields given change.
    public struct Event: Sendable, Hashable {
        /// When, from the start.
        public var at: Duration
        /// A note shown in the timeline.
        public var note: String?
        public var requestsPerSecond: Double?
        public var keyedShare: Double?
        public var legacy: PathChange
        public var relay: PathChange
        /// Engage (`true`) or release (`false`) the rollback switch.
        public var rollbackSwitch: Bool?

        public init(
            at: Duration, note: String? = nil, requestsPerSecond: Double? = nil, keyedShare: Double? = nil,
            legacy: PathChange = .init(), relay: PathChange = .init(), rollbackSwitch: Bool? = nil
        ) {
            self.at = at
            self.note = note
            self.requestsPerSecond = requestsPerSecond
            self.keyedShare = keyedShare
            self.legacy = legacy
            self.relay = relay
            self.rollbackSwitch = rollbackSwitch
        }
    }

    /// A partial change of a path's behaviour.
    public struct PathChange: Sendable, Hashable {
        public var successRate: Double?
        public var p50: Duration?
        public var p95: Duration?
        public var failureMix: [FailureClass: Double]?

        public init(
            successRate: Double? = nil, p50: Duration? = nil, p95: Duration? = nil,
            failureMix: [FailureClass: Double]? = nil
        ) {
            self.successRate = successRate
            self.p50 = p50
            self.p95 = p95
            self.failureMix = failureMix
        }

        func applied(to behaviour: PathBehaviour) -> PathBehaviour {
            var b = behaviour
            if let successRate { b.successRate = successRate }
            if let p50 { b.p50 = p50 }
            if let p95 { b.p95 = p95 }
            if let failureMix { b.failureMix = failureMix }
            return b
        }
    }

    /// The scenario's name.
    public var name: String
    /// A sentence for the timeline header.
    public var description: String?
    /// How long to simulate.
    public var duration: Duration
    /// Traffic at the start.
    public var traffic: Traffic
    /// Legacy at the start.
    public var legacy: PathBehaviour
    /// Relay at the start.
    public var relay: PathBehaviour
    /// Changes over time, sorted by `at`.
    public var events: [Event]

    public init(
        name: String, description: String? = nil, duration: Duration, traffic: Traffic = .init(),
        legacy: PathBehaviour = .init(), relay: PathBehaviour = .init(), events: [Event] = []
    ) {
        self.name = name
        self.description = description
        self.duration = duration
        self.traffic = traffic
        self.legacy = legacy
        self.relay = relay
        self.events = events.sorted { $0.at < $1.at }
    }
}
