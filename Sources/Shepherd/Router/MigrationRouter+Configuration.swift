public import Canary
public import Resilience

extension MigrationRouter {
    /// How the router behaves around the policy.
    public struct Configuration: Sendable {
        /// The rollout policy (ramp, health, window, prices).
        public var policy: RolloutPolicy
        /// Retries on the relay before failing over. Default: one attempt, fail over at once
        /// (legacy is the known-good path; retrying a failing relay only delays the answer).
        public var relayRetry: RetryPolicy
        /// Retries on legacy. Default: three attempts.
        public var legacyRetry: RetryPolicy
        /// Total deadline and per-attempt timeout of each path.
        public var deadlines: Deadlines
        /// Start the rollout at the initial percentage when the store has no state for it. Default `true`.
        public var autoStart: Bool
        /// How many recent decisions ``status()`` reports. Default 20.
        public var recentDecisionLimit: Int
        /// On a ``SharedRolloutStore``: this replica's coordination settings.
        public var fleet: FleetConfiguration
        /// How attempts are traced: the bootstrapped tracer by default, never the prompt unless asked.
        public var tracing: RouterTracing

        /// Creates a configuration.
        public init(
            policy: RolloutPolicy,
            relayRetry: RetryPolicy = RetryPolicy(maxAttempts: 1),
            legacyRetry: RetryPolicy = RetryPolicy(maxAttempts: 3),
            deadlines: Deadlines = .standard,
            autoStart: Bool = true,
            recentDecisionLimit: Int = 20,
            fleet: FleetConfiguration = FleetConfiguration(),
            tracing: RouterTracing = RouterTracing()
        ) {
            self.fleet = fleet
            self.tracing = tracing
            self.policy = policy
            self.relayRetry = relayRetry
            self.legacyRetry = legacyRetry
            self.deadlines = deadlines
            self.autoStart = autoStart
            self.recentDecisionLimit = recentDecisionLimit
        }

        /// The controller's part of the configuration.
        var controllerConfiguration: RolloutController<C>.Configuration {
            .init(policy: policy, autoStart: autoStart, recentDecisionLimit: recentDecisionLimit, fleet: fleet)
        }
    }
}
