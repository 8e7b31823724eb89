/// Many seeded runs of one policy against one scenario, tallied: how often the ramp promoted,
/// rolled back or neither, for which reasons, and which models the rollbacks named.
///
/// The error rates the README quotes come from studies like this one: a scenario where the relay
/// is as good as legacy must almost never roll back, and one where it is worse must almost never
/// promote. Seeds run from `firstSeed` on, so a study is the same on every machine, and each run
/// stops at its first promotion or rollback.
///
/// ```swift
/// let result = SimulationStudy(policy: policy, scenario: scenario, runs: 1_000).run()
/// print(result.summary)   // "1000 runs: rolled back 997 (…), promoted 0, neither 3; …"
/// ```
public struct SimulationStudy: Sendable {
    /// The policy under test.
    public var policy: RolloutPolicy
    /// The traffic and faults.
    public var scenario: Scenario
    /// How many runs.
    public var runs: Int
    /// The first seed; run `i` uses `firstSeed + i`.
    public var firstSeed: UInt64

    /// Creates a study.
    public init(policy: RolloutPolicy, scenario: Scenario, runs: Int, firstSeed: UInt64 = 1) {
        precondition(runs >= 1, "a study needs at least one run")
        self.policy = policy
        self.scenario = scenario
        self.runs = runs
        self.firstSeed = firstSeed
    }

    /// What the runs did.
    public struct Result: Sendable, Hashable, Codable {
        /// Runs made.
        public var runs = 0
        /// Runs that reached `promoted` first.
        public var promoted = 0
        /// Runs that rolled back first.
        public var rolledBack = 0
        /// Rollbacks by the verdict's reason code.
        public var rollbackReasons: [String: Int] = [:]
        /// Rollbacks whose verdict named each model as failing on the relay.
        public var namedInRollbacks: [String: Int] = [:]

        /// Runs that neither promoted nor rolled back within the scenario.
        public var unsettled: Int { runs - promoted - rolledBack }

        /// One line: `1000 runs: rolled back 997 (modelBelowBaseline 997), promoted 0, neither 3; rollbacks naming gpt-4.1: 997`.
        public var summary: String {
            func tally(_ counts: [String: Int]) -> String {
                counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            var line = "\(runs) runs: rolled back \(rolledBack)"
            if !rollbackReasons.isEmpty { line += " (\(tally(rollbackReasons)))" }
            line += ", promoted \(promoted), neither \(unsettled)"
            if !namedInRollbacks.isEmpty { line += "; rollbacks naming \(tally(namedInRollbacks))" }
            return line
        }
    }

    /// Runs the study (CPU-bound: minutes for a thousand runs of an hour each; call it off the
    /// cooperative pool when other work must go on).
    public func run() -> Result {
        var result = Result()
        for index in 0..<runs {
            let report = Simulation(
                policy: policy, scenario: scenario, seed: firstSeed + UInt64(index), stopWhenSettled: true
            ).run()
            result.runs += 1
            if report.promotedAt != nil {
                result.promoted += 1
            } else if report.rolledBackAt != nil {
                result.rolledBack += 1
                let rollback = report.transitions.first { $0.phase == .rolledBack }
                result.rollbackReasons[rollback?.reason?.rawValue ?? "operator", default: 0] += 1
                for model in rollback?.failingModels ?? [] { result.namedInRollbacks[model, default: 0] += 1 }
            }
        }
        return result
    }
}
