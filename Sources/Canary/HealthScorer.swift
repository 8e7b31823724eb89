/// Compares the relay (canary) against legacy (baseline) and says whether the relay is fit for more traffic.
///
/// The seeds' rule is the floor: with fewer than `minSamples` judged calls on
/// either side there is **insufficient data** (score 0.5); the relay is healthy
/// when its success rate is at least the baseline's minus `tolerance` and at
/// least `absoluteFloor`. On top of that every comparison is made with a
/// confidence bound, so that a hundred noisy samples can neither promote a
/// worse relay nor roll back an equal one:
///
/// - **success vs baseline**: Newcombe's interval for `relay − baseline` at
///   `confidence`. It passes when the *lower* bound is ≥ `−tolerance` (the
///   relay is shown to be no worse than the tolerance allows), fails when the
///   *upper* bound is < `−tolerance` (shown to be worse), and is inconclusive
///   in between. When calls name their model and both paths serve two or more
///   of them, the difference is **stratified by model**: each model's relay
///   rate is compared with the same model's legacy rate and the differences
///   are combined under Mantel–Haenszel weights, with a weighted Newcombe
///   bound (``Statistics/stratifiedNewcombeDifference(_:z:)``). A relay that
///   gets more of a hard model than legacy does is then not judged worse for
///   it: a change of mix is not a change of health.
/// - **success by model** (``Configuration/PerModel``): each model both paths
///   serve is also compared on its own, with Newcombe's continuity-corrected
///   interval at a Bonferroni-adjusted confidence (`1 − (1 − confidence)/k`
///   for `k` models judged), and a model shown worse than the tolerance fails
///   the verdict with ``HealthReason/Code/modelBelowBaseline``, named, even
///   when the rate over every model passes: a relay that breaks one model in
///   ten is caught. It only ever names failures; a model too rare to be shown
///   healthy alone does not hold the ramp. When another check fails too, that
///   check's code decides (as it always did) and the summary names the models.
/// - **absolute floor**: the relay's rate passes at or above the floor, fails
///   when its Wilson upper bound is below it.
/// - **latency vs baseline** and **latency ceiling**: "relay p95 ≤ T" is the
///   same as "at most 5% of relay calls are slower than T", a proportion, so
///   it is judged like one: pass when the observed share is ≤ 5%, fail when
///   its Wilson lower bound is above 5%. T is `baseline p95 × p95Ratio` and
///   `maxP95`.
/// - **client errors vs baseline** (``ClientErrorComparison``): client errors stay
///   out of the success rate, but the relay's share of them among answered calls
///   may exceed legacy's by at most `clientErrorExcess`: it fails when the lower
///   bound of Newcombe's interval for `relay − legacy` is above it. This is the one
///   check that can fail while the sample-size guard still holds: a relay that
///   answers 404 to every call has no judged call at all.
///
/// Any failing check makes the verdict **unhealthy**; all passing make it
/// **healthy**; otherwise the data are not yet enough to decide, and the
/// verdict is **insufficientData** with the reason `inconclusive`: the ramp
/// holds, it never rolls back on missing evidence.
///
/// ```swift
/// let scorer = HealthScorer(configuration: .init(minSamples: 100, tolerance: 0.02))
/// let verdict = scorer.evaluate(window.snapshot())
/// print(verdict.kind, verdict.score, verdict.reason.summary)
/// ```
public struct HealthScorer: Sendable {
    /// What the scorer checks and how strictly.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Judged calls needed on each side before any verdict. Default 100.
        public var minSamples: Int
        /// How far below the baseline's success rate the relay may be. Default 0.02.
        public var tolerance: Double
        /// The relay's success rate must be at least this. Default 0.95.
        public var absoluteFloor: Double
        /// One-sided confidence of every bound, in (0, 1). Default 0.95.
        public var confidence: Double
        /// Relay p95 may be at most baseline p95 × this. Default 1.5; `nil` turns the check off.
        public var p95Ratio: Double?
        /// Relay p95 may be at most this. Default 30 s; `nil` turns the check off.
        public var maxP95: Duration?
        /// How far the relay's share of client errors (4xx) among its answered calls may exceed
        /// legacy's, in [0, 1). Default 0.05 (five points); `nil` turns the check off.
        ///
        /// Both shares need `minSamples` answered calls (judged calls plus client errors).
        public var clientErrorExcess: Double?
        /// Verdicts per model; `nil` judges the pooled rate only (and is what a configuration
        /// stored before per-model verdicts existed decodes to).
        public var perModel: PerModel?

        /// How models are judged apart.
        public struct PerModel: Sendable, Hashable, Codable {
            /// Models judged apart, the heaviest by calls on both paths; the rest form one
            /// `other` row. Default 8.
            public var top: Int
            /// Judged calls a model needs on each path before its own comparison is made. Default 10:
            /// the continuity-corrected bound already keeps a small sample from naming a model on
            /// noise, and a relay at 5% of 10 calls/s sees only about 15 calls of a model with a
            /// tenth of the traffic in a five-minute window.
            public var minSamples: Int

            /// Creates the settings.
            public init(top: Int = 8, minSamples: Int = 10) {
                self.top = top
                self.minSamples = minSamples
            }
        }

        /// Creates a configuration; the defaults are the seeds' rule plus the bounds described above.
        public init(
            minSamples: Int = 100,
            tolerance: Double = 0.02,
            absoluteFloor: Double = 0.95,
            confidence: Double = 0.95,
            p95Ratio: Double? = 1.5,
            maxP95: Duration? = .seconds(30),
            clientErrorExcess: Double? = 0.05,
            perModel: PerModel? = PerModel()
        ) {
            self.minSamples = minSamples
            self.tolerance = tolerance
            self.absoluteFloor = absoluteFloor
            self.confidence = confidence
            self.p95Ratio = p95Ratio
            self.maxP95 = maxP95
            self.clientErrorExcess = clientErrorExcess
            self.perModel = perModel
        }
    }

    /// The configuration in force.
    public let configuration: Configuration
    let z: Double

    /// The share of calls allowed above a p95 threshold.
    static let p95Share = 0.05

    /// Creates a scorer.
    public init(configuration: Configuration = .init()) {
        precondition(configuration.confidence > 0 && configuration.confidence < 1, "confidence must be in (0, 1)")
        self.configuration = configuration
        self.z = Statistics.normalQuantile(configuration.confidence)
    }

    /// Judges the relay against the baseline.
    public func evaluate(_ snapshot: HealthSnapshot) -> HealthVerdict {
        let legacy = snapshot.legacy
        let relay = snapshot.relay
        let samples = HealthReason.Samples(
            legacy: legacy.judged, relay: relay.judged,
            legacySuccessRate: legacy.successRate, relaySuccessRate: relay.successRate)
        let clientErrors = clientErrorComparison(legacy: legacy, relay: relay)
        let rows = configuration.perModel.map { snapshot.modelComparisons(top: $0.top) } ?? []
        guard legacy.judged >= configuration.minSamples, relay.judged >= configuration.minSamples else {
            let check = CheckResult(
                check: .sampleSize, outcome: .inconclusive, relayValue: Double(relay.judged),
                baselineValue: Double(legacy.judged), threshold: Double(configuration.minSamples), bound: nil,
                detail:
                    "need \(configuration.minSamples) judged calls per path; have legacy \(legacy.judged), relay \(relay.judged)"
            )
            if let clientErrors, clientErrors.outcome == .fail {
                // Too few judged calls to compare success, but enough answered ones to see the relay reject them.
                let reason = HealthReason(
                    code: .clientErrorsAboveBaseline, samples: samples, confidence: configuration.confidence,
                    checks: [check], clientErrors: clientErrors, models: unjudged(rows))
                return HealthVerdict(kind: .unhealthy, score: min(0.49, 1 - clientErrors.relayShare), reason: reason)
            }
            return HealthVerdict(
                kind: .insufficientData, score: 0.5,
                reason: HealthReason(
                    code: .insufficientData, samples: samples, confidence: configuration.confidence, checks: [check],
                    clientErrors: clientErrors, models: unjudged(rows)))
        }

        let (modelChecks, byModel) = modelComparison(rows)
        var checks = [successCheck(legacy: legacy, relay: relay, rows: rows), floorCheck(relay: relay, rows: rows)]
        if let ratio = configuration.p95Ratio, let baselineP95 = legacy.p95 {
            checks.append(
                latencyCheck(.latencyVsBaseline, relay: relay, threshold: baselineP95 * ratio, baseline: baselineP95))
        }
        if let ceiling = configuration.maxP95 {
            checks.append(latencyCheck(.latencyCeiling, relay: relay, threshold: ceiling, baseline: nil))
        }

        // Last, so that a regression another check sees keeps that check's reason code (runbooks and
        // alerts key on them); the failing models are named in the summary whichever check decided.
        if let byModel { checks.append(byModel) }

        let failed = checks.filter { $0.outcome == .fail }
        let kind: HealthVerdict.Kind
        let code: HealthReason.Code
        if let first = failed.first {
            kind = .unhealthy
            code = first.check.failureCode
        } else if clientErrors?.outcome == .fail {
            kind = .unhealthy
            code = .clientErrorsAboveBaseline
        } else if checks.allSatisfy({ $0.outcome == .pass }), clientErrors?.outcome ?? .pass == .pass {
            kind = .healthy
            code = .healthy
        } else {
            kind = .insufficientData
            code = .inconclusive
        }
        let reason = HealthReason(
            code: code, samples: samples, confidence: configuration.confidence, checks: checks,
            clientErrors: clientErrors, models: modelChecks)
        return HealthVerdict(kind: kind, score: score(kind: kind, legacy: legacy, relay: relay), reason: reason)
    }

    /// The relay's share of client errors against legacy's, or `nil` when the check is off.
    private func clientErrorComparison(legacy: PathSnapshot, relay: PathSnapshot) -> ClientErrorComparison? {
        guard let excess = configuration.clientErrorExcess else { return nil }
        let relayErrors = relay.failures[.clientError]
        let legacyErrors = legacy.failures[.clientError]
        let relayShare = relay.answered == 0 ? 0 : Double(relayErrors) / Double(relay.answered)
        let legacyShare = legacy.answered == 0 ? 0 : Double(legacyErrors) / Double(legacy.answered)
        let shares =
            "relay 4xx \(relayErrors) of \(relay.answered) answered (\(percent(relayShare))) vs legacy "
            + "\(legacyErrors) of \(legacy.answered) (\(percent(legacyShare)))"
        guard relay.answered >= configuration.minSamples, legacy.answered >= configuration.minSamples else {
            return ClientErrorComparison(
                outcome: .inconclusive, relayShare: relayShare, baselineShare: legacyShare,
                relayAnswered: relay.answered, baselineAnswered: legacy.answered, threshold: excess, bound: nil,
                detail: shares + "; need \(configuration.minSamples) answered calls per path")
        }
        let (lower, upper) = Statistics.newcombeDifference(
            successes1: relayErrors, trials1: relay.answered, successes2: legacyErrors, trials2: legacy.answered, z: z)
        let outcome: CheckResult.Outcome =
            relayShare - legacyShare <= excess ? .pass : (lower > excess ? .fail : .inconclusive)
        var detail =
            shares + "; difference in [\(signedPoints(lower)), \(signedPoints(upper))] at "
            + "\(percent(configuration.confidence)) may exceed legacy's by at most \(signedPoints(excess))"
        if outcome == .fail {
            detail += ": the relay rejects calls legacy answers (a wrong relay URL, model name or parameter?)"
        }
        return ClientErrorComparison(
            outcome: outcome, relayShare: relayShare, baselineShare: legacyShare, relayAnswered: relay.answered,
            baselineAnswered: legacy.answered, threshold: excess, bound: lower, detail: detail)
    }

    private func successCheck(legacy: PathSnapshot, relay: PathSnapshot, rows: [ModelComparison]) -> CheckResult {
        if let stratified = stratifiedSuccessCheck(rows) { return stratified }
        let (lower, upper) = Statistics.newcombeDifference(
            successes1: relay.successes, trials1: relay.judged,
            successes2: legacy.successes, trials2: legacy.judged, z: z)
        let tolerance = configuration.tolerance
        let outcome: CheckResult.Outcome = lower >= -tolerance ? .pass : (upper < -tolerance ? .fail : .inconclusive)
        let relayRate = relay.successRate ?? 0
        let legacyRate = legacy.successRate ?? 0
        return CheckResult(
            check: .successVsBaseline, outcome: outcome, relayValue: relayRate, baselineValue: legacyRate,
            threshold: -tolerance, bound: outcome == .fail ? upper : lower,
            detail: "relay \(percent(relayRate)) vs legacy \(percent(legacyRate)); difference in "
                + "[\(signedPoints(lower)), \(signedPoints(upper))] at \(percent(configuration.confidence)) "
                + "must stay above \(signedPoints(-tolerance))")
    }

    /// The relay's success rate against the floor.
    ///
    /// With calls of two or more models on both paths, the relay's rate is taken on legacy's mix
    /// of models (each model's relay rate weighted by its share of legacy's judged calls), so a
    /// relay that happens to carry more of a hard model than legacy does is not judged below
    /// the floor for it; the bound uses the effective sample size of that weighted rate.
    private func floorCheck(relay: PathSnapshot, rows: [ModelComparison]) -> CheckResult {
        let floor = configuration.absoluteFloor
        let strata = rows.filter(\.servedByBoth)
        let legacyTotal = strata.reduce(0) { $0 + $1.legacy.judged }
        let relayTotal = strata.reduce(0) { $0 + $1.relay.judged }
        var rate = relay.successRate ?? 0
        var upper = Statistics.wilson(successes: relay.successes, trials: relay.judged, z: z).upper
        var onMix = ""
        if strata.count >= 2, legacyTotal >= configuration.minSamples, relayTotal >= configuration.minSamples {
            var weighted = 0.0
            var variance = 0.0
            for row in strata {
                let weight = Double(row.legacy.judged) / Double(legacyTotal)
                let p = Double(row.relay.successes) / Double(row.relay.judged)
                weighted += weight * p
                // A stratum with no failure still carries uncertainty: at most one failure in n + 1.
                let q = max(p * (1 - p), 1 / Double(row.relay.judged + 1) * (1 - 1 / Double(row.relay.judged + 1)))
                variance += weight * weight * q / Double(row.relay.judged)
            }
            let effective = max(1, min(Double(relayTotal), weighted * (1 - weighted) / max(variance, 1e-12)))
            let n = Int(effective.rounded())
            rate = weighted
            upper = Statistics.wilson(successes: Int((weighted * Double(n)).rounded()), trials: n, z: z).upper
            onMix = " on legacy's model mix"
        }
        let outcome: CheckResult.Outcome = rate >= floor ? .pass : (upper < floor ? .fail : .inconclusive)
        return CheckResult(
            check: .absoluteFloor, outcome: outcome, relayValue: rate, baselineValue: nil, threshold: floor,
            bound: upper,
            detail: "relay \(percent(rate))\(onMix) (upper bound \(percent(upper))) against floor \(percent(floor))")
    }

    private func latencyCheck(
        _ check: CheckResult.Check, relay: PathSnapshot, threshold: Duration, baseline: Duration?
    ) -> CheckResult {
        let n = relay.latencySamples
        let slow = relay.latencyCount(above: threshold)
        let share = n == 0 ? 0 : Double(slow) / Double(n)
        let (lower, _) = Statistics.wilson(successes: slow, trials: n, z: z)
        let outcome: CheckResult.Outcome =
            n < configuration.minSamples
            ? .inconclusive
            : share <= Self.p95Share ? .pass : (lower > Self.p95Share ? .fail : .inconclusive)
        let relayP95 = relay.p95 ?? .zero
        var detail = "relay p95 \(DurationText.format(relayP95)) against \(DurationText.format(threshold))"
        if let baseline { detail += " (legacy p95 \(DurationText.format(baseline)) × \(configuration.p95Ratio ?? 1))" }
        detail += "; \(slow) of \(n) relay calls slower (\(percent(share)), lower bound \(percent(lower)), limit 5%)"
        return CheckResult(
            check: check, outcome: outcome, relayValue: inSeconds(relayP95), baselineValue: baseline.map(inSeconds),
            threshold: inSeconds(threshold), bound: lower, detail: detail)
    }

    /// A display score in 0…1: 0.5 without a verdict, above 0.5 when healthy, below when unhealthy.
    private func score(kind: HealthVerdict.Kind, legacy: PathSnapshot, relay: PathSnapshot) -> Double {
        let relayRate = relay.successRate ?? 0
        let deficit = max(0, (legacy.successRate ?? 0) - relayRate)
        var score = 1 - min(1, deficit / (2 * max(configuration.tolerance, 1e-9)))
        if relayRate < configuration.absoluteFloor {
            score = min(
                score,
                0.5 * max(0, 1 - (configuration.absoluteFloor - relayRate) / max(1e-9, 1 - configuration.absoluteFloor))
            )
        }
        if let ratio = configuration.p95Ratio, let base = legacy.p95, let mine = relay.p95, base > .zero {
            let r = inSeconds(mine) / (inSeconds(base) * ratio)
            if r > 1 { score = min(score, 0.5 * max(0, 2 - r)) }
        }
        switch kind {
        case .healthy: return max(0.5, score)
        case .unhealthy: return min(0.49, score)
        case .insufficientData: return 0.5
        }
    }
}
