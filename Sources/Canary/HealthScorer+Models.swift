/// Verdicts per model: the stratified success check and each model's own comparison.
///
/// Why a weighted Newcombe bound rather than Cochran–Mantel–Haenszel. The scorer's question is
/// one of non-inferiority in points: is the relay's success rate at most `tolerance` below
/// legacy's? CMH tests a different null, a common odds ratio of 1 (no difference at all), so at
/// high traffic it would reject for a difference of a tenth of a point that the policy says to
/// tolerate, and it speaks in odds ratios, which near 100% success swing wildly (99.5% against
/// 99% is an odds ratio of 2) and cannot be set against a tolerance in points. A Mantel–Haenszel
/// weighted risk difference with a stratified Newcombe bound answers the scorer's own
/// question, keeps Newcombe's good behaviour near 100% with few failures, and with one model is
/// exactly the pooled check it replaces, so a rollout whose calls name no model (or one) is
/// judged as before.
extension HealthScorer {
    /// The table for a verdict reached before the comparison (too few calls): rows, none judged.
    func unjudged(_ rows: [ModelComparison]) -> [ModelCheck]? {
        guard !rows.isEmpty else { return nil }
        return rows.map {
            ModelCheck(model: $0.model, isOther: $0.isOther, legacy: $0.legacy, relay: $0.relay, note: "not judged yet")
        }
    }

    /// Rows both paths serve: the strata compared like with like.
    private func served(_ rows: [ModelComparison]) -> [ModelComparison] { rows.filter(\.servedByBoth) }

    /// The success check stratified by model, or `nil` when fewer than two models are served by
    /// both paths or their calls are fewer than `minSamples` on a side (the pooled check then judges).
    func stratifiedSuccessCheck(_ rows: [ModelComparison]) -> CheckResult? {
        let strata = served(rows)
        guard strata.count >= 2,
            strata.reduce(0, { $0 + $1.relay.judged }) >= configuration.minSamples,
            strata.reduce(0, { $0 + $1.legacy.judged }) >= configuration.minSamples
        else { return nil }
        let (estimate, lower, upper) = Statistics.stratifiedNewcombeDifference(
            strata.map {
                Statistics.Stratum(
                    successes1: $0.relay.successes, trials1: $0.relay.judged,
                    successes2: $0.legacy.successes, trials2: $0.legacy.judged)
            }, z: z)
        // The two rates on the same (weighted) mix of models, for the operator.
        var weights = strata.map {
            Double($0.relay.judged) * Double($0.legacy.judged) / Double($0.relay.judged + $0.legacy.judged)
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        let legacyRate = zip(strata, weights).reduce(0) { $0 + $1.1 * ($1.0.legacy.successRate ?? 0) }
        let relayRate = legacyRate + estimate
        let tolerance = configuration.tolerance
        let outcome: CheckResult.Outcome = lower >= -tolerance ? .pass : (upper < -tolerance ? .fail : .inconclusive)
        return CheckResult(
            check: .successVsBaseline, outcome: outcome, relayValue: relayRate, baselineValue: legacyRate,
            threshold: -tolerance, bound: outcome == .fail ? upper : lower,
            detail:
                "relay \(percent(relayRate)) vs legacy \(percent(legacyRate)) model for model (\(strata.count) models, "
                + "Mantel–Haenszel weights); difference in [\(signedPoints(lower)), \(signedPoints(upper))] at "
                + "\(percent(configuration.confidence)) must stay above \(signedPoints(-tolerance))")
    }

    /// Each model's own comparison, and the check that fails when one is shown worse than the tolerance.
    ///
    /// With a single model served by both paths the check is not made: it would repeat the
    /// success check, and a one-model rollout keeps the reasons it always had.
    ///
    /// - Returns: the table (`nil` without rows) and the check (`nil` when no model could be judged).
    func modelComparison(_ rows: [ModelComparison]) -> ([ModelCheck]?, CheckResult?) {
        guard let perModel = configuration.perModel, !rows.isEmpty else { return (nil, nil) }
        let several = served(rows).count >= 2
        let judged = rows.filter {
            several && $0.servedByBoth && $0.relay.judged >= perModel.minSamples
                && $0.legacy.judged >= perModel.minSamples
        }
        // Bonferroni: k models at 1 − (1 − c)/k each keep the chance of naming any healthy one at most 1 − c.
        let confidence = 1 - (1 - configuration.confidence) / Double(max(1, judged.count))
        let zModel = Statistics.normalQuantile(confidence)
        let tolerance = configuration.tolerance
        var table: [ModelCheck] = []
        for row in rows {
            var check = ModelCheck(model: row.model, isOther: row.isOther, legacy: row.legacy, relay: row.relay)
            if !row.servedByBoth {
                check.note = row.relay.judged == 0 ? "no judged call on the relay" : "no judged call on legacy"
            } else if !several {
                check.note = "the only model both paths serve: judged by the success check"
            } else if !judged.contains(row) {
                check.note = "fewer than \(perModel.minSamples) judged calls on a path"
            } else {
                let (lower, upper) = Statistics.newcombeDifferenceCorrected(
                    successes1: row.relay.successes, trials1: row.relay.judged,
                    successes2: row.legacy.successes, trials2: row.legacy.judged, z: zModel)
                check.lower = lower
                check.upper = upper
                check.outcome = lower >= -tolerance ? .pass : (upper < -tolerance ? .fail : .inconclusive)
            }
            table.append(check)
        }
        guard !judged.isEmpty else { return (table, nil) }
        let failing = table.filter { $0.outcome == .fail }.sorted { ($0.upper ?? 0) < ($1.upper ?? 0) }
        let level = percent(confidence)
        let result: CheckResult
        if let worst = failing.first {
            let names = failing.map { "\($0.rates), difference at most \(signedPoints($0.upper ?? 0))" }
            result = CheckResult(
                check: .successByModel, outcome: .fail, relayValue: worst.relay.successRate ?? 0,
                baselineValue: worst.legacy.successRate, threshold: -tolerance, bound: worst.upper,
                detail: names.joined(separator: "; ") + " at \(level) (each of \(judged.count) models); "
                    + "must stay above \(signedPoints(-tolerance))")
        } else {
            let lowest = table.compactMap(\.lower).min() ?? 0
            result = CheckResult(
                check: .successByModel, outcome: .pass,
                relayValue: table.compactMap { $0.outcome == nil ? nil : $0.relay.successRate }.min() ?? 0,
                baselineValue: nil, threshold: -tolerance,
                bound: lowest,
                detail:
                    "no model shown worse on the relay than on legacy by more than \(signedPoints(tolerance).dropFirst()) "
                    + "(\(judged.count) models judged at \(level) each)")
        }
        return (table, result)
    }
}
