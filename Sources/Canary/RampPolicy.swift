/// How a rollout ramps: where it starts, how fast it grows, what it does on bad news.
public struct RampPolicy: Sendable, Hashable, Codable {
    /// What to do on an unhealthy verdict.
    public enum FailureAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Send every request back to legacy at once.
        case rollback
        /// Go back one step of the ladder (to 0, i.e. rolled back, from the first step).
        case stepBack
        /// Stay at the current percentage and stop ramping until an operator resumes.
        case pause
    }

    /// First canary percentage. Default 5.
    public var initialPercent: Double
    /// Each step multiplies the percentage by this. Default 1.5.
    public var stepFactor: Double
    /// The ramp stops here (and the rollout is *promoted*). Default 100.
    public var maxPercent: Double
    /// How often the health is judged. Default 30 s.
    public var evaluationInterval: Duration
    /// How long a step must hold before the next one. Default 2 min.
    public var minHoldTime: Duration
    /// Relay calls needed within a step before the next one. Default 100.
    public var minSamplesPerStep: Int
    /// What an unhealthy verdict does. Default `rollback`.
    public var onFailure: FailureAction
    /// Unhealthy verdicts in a row that roll back whatever `onFailure` says. Default 3.
    public var maxFailedChecks: Int
    /// A guarded bake at the top of the ladder (`rollout.bake`), or `nil` to promote at once.
    public var bake: Bake?
    /// Whether the rollout begins in ``RampPhase/shadowing`` (the policy has `shadow:`).
    public var startsWithShadow: Bool

    /// `rollout.bake`: the last step holds `holdback` percent on legacy for `duration`, so the
    /// verdicts still have a baseline, before the rollout is promoted.
    public struct Bake: Sendable, Hashable, Codable {
        /// Percent kept on legacy while baking (the last buckets of the split). Default 1.
        public var holdback: Double
        /// How long the bake lasts. Default 24 h.
        public var duration: Duration

        /// Creates a value; each parameter sets the property of the same name.
        public init(holdback: Double = 1, duration: Duration = .seconds(86_400)) {
            self.holdback = holdback
            self.duration = duration
        }
    }

    /// Creates a policy; the defaults are the ones in `policies/default.yaml`.
    public init(
        initialPercent: Double = 5,
        stepFactor: Double = 1.5,
        maxPercent: Double = 100,
        evaluationInterval: Duration = .seconds(30),
        minHoldTime: Duration = .seconds(120),
        minSamplesPerStep: Int = 100,
        onFailure: FailureAction = .rollback,
        maxFailedChecks: Int = 3,
        bake: Bake? = nil,
        startsWithShadow: Bool = false
    ) {
        self.initialPercent = initialPercent
        self.stepFactor = stepFactor
        self.maxPercent = maxPercent
        self.evaluationInterval = evaluationInterval
        self.minHoldTime = minHoldTime
        self.minSamplesPerStep = minSamplesPerStep
        self.onFailure = onFailure
        self.maxFailedChecks = maxFailedChecks
        self.bake = bake
        self.startsWithShadow = startsWithShadow
    }

    /// The percentage a bake holds: the maximum less the holdback.
    public var bakePercent: Double? {
        bake.map { max(0, maxPercent - $0.holdback) }
    }

    enum CodingKeys: String, CodingKey {
        case initialPercent, stepFactor, maxPercent, evaluationInterval, minHoldTime, minSamplesPerStep, onFailure
        case maxFailedChecks, bake, startsWithShadow
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            initialPercent: try c.decode(Double.self, forKey: .initialPercent),
            stepFactor: try c.decode(Double.self, forKey: .stepFactor),
            maxPercent: try c.decode(Double.self, forKey: .maxPercent),
            evaluationInterval: try c.decode(Duration.self, forKey: .evaluationInterval),
            minHoldTime: try c.decode(Duration.self, forKey: .minHoldTime),
            minSamplesPerStep: try c.decode(Int.self, forKey: .minSamplesPerStep),
            onFailure: try c.decode(FailureAction.self, forKey: .onFailure),
            maxFailedChecks: try c.decode(Int.self, forKey: .maxFailedChecks),
            // Policies stored before the bake and the shadow phase existed have neither.
            bake: try c.decodeIfPresent(Bake.self, forKey: .bake),
            startsWithShadow: try c.decodeIfPresent(Bool.self, forKey: .startsWithShadow) ?? false)
    }

    /// The percentages the ramp visits: `initial × factorⁿ`, capped at `maxPercent`, ending on it.
    ///
    /// ```swift
    /// RampPolicy().ladder  // [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 85.4296875, 100]
    /// ```
    public var ladder: [Double] {
        guard initialPercent > 0, stepFactor > 1, maxPercent >= initialPercent else {
            return [min(initialPercent, maxPercent)]
        }
        var steps: [Double] = []
        var percent = initialPercent
        while percent < maxPercent {
            steps.append(percent)
            percent *= stepFactor
        }
        steps.append(maxPercent)
        return steps
    }
}
