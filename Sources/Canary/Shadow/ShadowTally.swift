/// Every shadowed pair since the shadow phase began, and the spend of the last hour.
///
/// The router adds a pair when the relay's answer to a shadowed call is in; the controller judges
/// the tally at each evaluation (``ShadowTally/verdict(policy:health:now:)``). A plain value: the
/// caller keeps it behind its own lock.
public struct ShadowTally<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Pairs compared.
    public private(set) var pairs = 0
    /// Pairs that agreed.
    public private(set) var agreeing = 0
    /// Disagreements by check: how many pairs failed it, and the latest example.
    public private(set) var disagreements: [ShadowComparison.Check: ShadowVerdict.Worst] = [:]
    /// Calls not shadowed because the spend cap was reached.
    public private(set) var skippedForSpend = 0
    /// Mean token-set overlap of the pairs' texts.
    public var meanTextSimilarity: Double? { pairs == 0 ? nil : similaritySum / Double(pairs) }

    /// Output tokens and spend of the pairs' answers: what the relay would produce and cost for
    /// the same calls.
    public private(set) var outputTokens = (legacy: 0, relay: 0)
    public private(set) var cost = (legacy: 0.0, relay: 0.0)

    private var similaritySum = 0.0
    private var relay = WindowBucket()
    private var legacy = WindowBucket()
    private var spend: [(at: Instant, cost: Double)] = []

    /// An empty tally.
    public init() {}

    /// Adds a compared pair.
    ///
    /// - Parameters:
    ///   - legacy: the answer the client got.
    ///   - relay: the relay's answer.
    ///   - comparison: their comparison.
    ///   - requestID: the client request's id, kept as the example of a disagreement.
    ///   - keepTexts: whether to keep the texts of a disagreeing pair (`shadow.keepExamples`).
    ///   - now: when the relay's answer came.
    public mutating func add(
        legacy: ShadowAnswer, relay: ShadowAnswer, comparison: ShadowComparison, requestID: String?, keepTexts: Bool,
        now: Instant
    ) {
        pairs += 1
        if comparison.agrees { agreeing += 1 }
        similaritySum += comparison.textSimilarity
        for check in comparison.failed {
            var entry = disagreements[check] ?? .init(check: check, count: 0, exampleRequestID: nil, exampleTexts: nil)
            entry.count += 1
            entry.exampleRequestID = requestID
            entry.exampleTexts = keepTexts ? [legacy.text, relay.text] : nil
            disagreements[check] = entry
        }
        outputTokens.legacy += legacy.outputTokens
        outputTokens.relay += relay.outputTokens
        cost.legacy += legacy.cost
        cost.relay += relay.cost
        self.relay.record(Sample(relay.outcome), model: .none)
        self.legacy.record(Sample(legacy.outcome), model: .none)
        spend.append((now, relay.cost))
    }

    /// Counts a call left unshadowed because of the spend cap.
    public mutating func skipForSpend() { skippedForSpend += 1 }

    /// The shadow calls' spend over the hour before `now`.
    public mutating func spendInLastHour(now: Instant) -> Double {
        spend.removeAll { $0.at.duration(to: now) > .seconds(3600) }
        return spend.reduce(0) { $0 + $1.cost }
    }

    /// Whether a new shadow call is within the policy's spend cap.
    public mutating func mayShadow(policy: ShadowPolicy, now: Instant) -> Bool {
        guard let cap = policy.maxSpendPerHour else { return true }
        return spendInLastHour(now: now) < cap
    }

    /// The relay's shadow calls and legacy's paired calls, for the usual health checks.
    public var health: HealthSnapshot {
        HealthSnapshot(legacy: PathSnapshot(legacy), relay: PathSnapshot(relay))
    }

    /// The comparisons that failed, most frequent first.
    public var worst: [ShadowVerdict.Worst] {
        disagreements.values.sorted {
            $0.count != $1.count
                ? $0.count > $1.count
                : ShadowComparison.Check.allCases.firstIndex(of: $0.check)! < ShadowComparison.Check.allCases
                    .firstIndex(of: $1.check)!
        }
    }

    /// Judges the tally.
    ///
    /// The phase passes when at least `minPairs` pairs were compared, the lower confidence bound
    /// (Wilson, at `health.confidence`) of the share that agrees is at least `minAgreement`, and
    /// the relay's shadow calls pass the usual health checks against legacy's paired calls.
    public mutating func verdict(policy: ShadowPolicy, health: HealthScorer.Configuration, now: Instant)
        -> ShadowVerdict
    {
        let z = Statistics.normalQuantile(health.confidence)
        let interval =
            pairs == 0 ? (lower: 0.0, upper: 1.0) : Statistics.wilson(successes: agreeing, trials: pairs, z: z)
        let spent = spendInLastHour(now: now)
        let capped = policy.maxSpendPerHour.map { spent >= $0 } ?? false
        var verdict = ShadowVerdict(
            passed: false, summary: "", pairs: pairs, agreeing: agreeing, agreementLower: interval.lower,
            agreementUpper: interval.upper, worst: worst,
            spendLastHour: spent, pausedForSpend: capped, health: nil)
        verdict.outputTokens = [outputTokens.legacy, outputTokens.relay]
        verdict.cost = [cost.legacy, cost.relay]
        verdict.meanTextSimilarity = meanTextSimilarity
        let spendNote = capped ? "; shadowing paused: spend cap $\(policy.maxSpendPerHour!)/h reached" : ""
        let agreement =
            pairs == 0
            ? "no pairs"
            : "agreement \(Self.share(agreeing, pairs)) [\(Self.fraction(interval.lower)), \(Self.fraction(interval.upper))]"
        guard pairs >= policy.minPairs else {
            verdict.summary = "\(pairs) of \(policy.minPairs) pairs compared (\(agreement))\(worstNote())\(spendNote)"
            return verdict
        }
        guard interval.lower >= policy.minAgreement else {
            verdict.summary = "\(agreement) below \(Self.fraction(policy.minAgreement))\(worstNote())\(spendNote)"
            return verdict
        }
        let judged = HealthScorer(configuration: health).evaluate(self.health)
        verdict.health = judged.reason
        guard judged.kind == .healthy else {
            verdict.summary = "\(agreement), but the relay's shadow calls: \(judged.reason.summary)\(spendNote)"
            return verdict
        }
        verdict.passed = true
        verdict.summary = "\(pairs) pairs, \(agreement), relay healthy on the shadow calls"
        return verdict
    }

    private func worstNote() -> String {
        guard let top = worst.first else { return "" }
        let example = top.exampleRequestID.map { ", e.g. request \($0)" } ?? ""
        return "; most pairs differ in \(top.check.rawValue): \(top.count) of \(pairs)\(example)"
    }

    static func share(_ part: Int, _ whole: Int) -> String { fraction(Double(part) / Double(max(whole, 1))) }

    static func fraction(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return "\(rounded)"
    }
}

/// What the shadow comparison says at one evaluation.
public struct ShadowVerdict: Sendable, Hashable, Codable {
    /// One failing comparison.
    public struct Worst: Sendable, Hashable, Codable {
        /// The comparison.
        public var check: ShadowComparison.Check
        /// Pairs that failed it.
        public var count: Int
        /// The request id of an example pair.
        public var exampleRequestID: String?
        /// The example's texts (legacy, relay), only with `shadow.keepExamples: true`.
        public var exampleTexts: [String]?
    }

    /// Whether the rollout may leave the shadow phase.
    public var passed: Bool
    /// One line: what passed, or what the comparison still lacks.
    public var summary: String
    /// Pairs compared.
    public var pairs: Int
    /// Pairs that agreed.
    public var agreeing: Int
    /// The confidence interval of the share that agrees.
    public var agreementLower: Double
    /// Its upper end.
    public var agreementUpper: Double
    /// The failing comparisons, most frequent first.
    public var worst: [Worst]
    /// The shadow calls' spend over the last hour.
    public var spendLastHour: Double
    /// Whether shadowing is paused by the spend cap.
    public var pausedForSpend: Bool
    /// The health checks on the shadow calls, once there are enough pairs.
    public var health: HealthReason?
    /// Output tokens of the pairs' answers: legacy's, then the relay's.
    public var outputTokens: [Int]?
    /// Spend of the pairs' answers in dollars: legacy's, then the relay's.
    public var cost: [Double]?
    /// Mean token-set overlap of the pairs' texts.
    public var meanTextSimilarity: Double?
}
