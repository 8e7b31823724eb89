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
///
/// Calls can name models: `traffic.models` gives the mix (weights), a path's `mix` gives that
/// path its own mix (the relay may get more of a model than legacy does), and a path's `models`
/// changes its behaviour for one model only:
///
/// ```yaml
/// traffic: { requestsPerSecond: 10, models: { gpt-4.1: 0.1, gemini-2.5-flash: 0.9 } }
/// relay:
///   successRate: 0.995
///   models:
///     gpt-4.1: { successRate: 0.7, failures: { serverError: 1 } }
/// ```
public struct Scenario: Sendable, Hashable {
    /// One model's weight in a mix (weights are normalised over the mix).
    public struct ModelShare: Sendable, Hashable {
        /// The model's name.
        public var model: String
        /// Its weight.
        public var weight: Double

        /// Creates a share.
        public init(_ model: String, _ weight: Double) {
            self.model = model
            self.weight = weight
        }
    }

    /// The traffic offered to the router.
    public struct Traffic: Sendable, Hashable {
        /// Mean arrival rate (Poisson arrivals).
        public var requestsPerSecond: Double
        /// Share of requests carrying a routing key (the rest are split at random).
        public var keyedShare: Double
        /// Distinct routing keys.
        public var users: Int
        /// The models the calls ask for, in file order; empty: calls name no model.
        public var models: [ModelShare]

        public init(
            requestsPerSecond: Double = 10, keyedShare: Double = 0.9, users: Int = 5000, models: [ModelShare] = []
        ) {
            self.requestsPerSecond = requestsPerSecond
            self.keyedShare = keyedShare
            self.users = users
            self.models = models
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
        /// This path's own model mix, when it differs from the traffic's (`nil`: the traffic's).
        public var mix: [ModelShare]?
        /// How this path treats particular models, applied over the rest of the behaviour.
        public var models: [String: PathChange]
        /// The relay: the share of its answers that differ from legacy's answer to the same call
        /// (what the shadow phase compares). Default 0.
        public var disagreement: Double = 0

        public init(
            successRate: Double = 0.995, p50: Duration = .milliseconds(800), p95: Duration = .seconds(2),
            failureMix: [FailureClass: Double] = [.serverError: 0.6, .timeout: 0.2, .rateLimited: 0.2],
            mix: [ModelShare]? = nil, models: [String: PathChange] = [:]
        ) {
            self.successRate = successRate
            self.p50 = p50
            self.p95 = p95
            self.failureMix = failureMix
            self.mix = mix
            self.models = models
        }

        /// The behaviour for calls of one model.
        public func behaviour(for model: String?) -> PathBehaviour {
            guard let model, let change = models[model] else { return self }
            return change.applied(to: self)
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
        /// A new model mix for the path.
        public var mix: [ModelShare]?
        /// Changes for particular models, merged over the path's earlier ones for the same model.
        public var models: [String: PathChange]
        /// A new share of answers that differ from legacy's (`disagreement`).
        public var disagreement: Double?

        public init(
            successRate: Double? = nil, p50: Duration? = nil, p95: Duration? = nil,
            failureMix: [FailureClass: Double]? = nil, mix: [ModelShare]? = nil, models: [String: PathChange] = [:]
        ) {
            self.successRate = successRate
            self.p50 = p50
            self.p95 = p95
            self.failureMix = failureMix
            self.mix = mix
            self.models = models
        }

        package func applied(to behaviour: PathBehaviour) -> PathBehaviour {
            var b = behaviour
            if let successRate { b.successRate = successRate }
            if let p50 { b.p50 = p50 }
            if let p95 { b.p95 = p95 }
            if let failureMix { b.failureMix = failureMix }
            if let mix { b.mix = mix }
            if let disagreement { b.disagreement = disagreement }
            for (model, change) in models {
                b.models[model] = b.models[model].map { change.merged(over: $0) } ?? change
            }
            return b
        }

        /// This change laid over an earlier one: the fields this one gives win.
        func merged(over earlier: PathChange) -> PathChange {
            var merged = earlier
            if let successRate { merged.successRate = successRate }
            if let p50 { merged.p50 = p50 }
            if let p95 { merged.p95 = p95 }
            if let failureMix { merged.failureMix = failureMix }
            return merged
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
