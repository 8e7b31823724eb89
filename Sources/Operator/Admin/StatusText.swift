import Canary
public import Shepherd

/// The text of `shepherd status` and `shepherd events`: what an on-call engineer reads at 3 a.m.
///
/// The wording is stable (runbooks quote it and scripts `grep` it): each line starts with a
/// fixed label (`phase:`, `verdict:`, `reason:`, `legacy:`, `relay:`, `breakers:`,
/// `rollback switch:`, `next step:`), and numbers are formatted without the locale.
///
/// ```text
/// rollout: checkout-to-relay   server: http://127.0.0.1:8080   at 2026-11-21T14:05:09.120Z
/// phase: ramping   percent: 11.25% (step 3/9)
/// verdict: healthy (score 0.98)
/// reason: healthy: all checks pass (relay 99.13% of 230, legacy 99.0% of 1204)
/// legacy: 1,204 requests   success 99.00% [98.53–99.33]   p95 1.1s   errors 5xx 3 · 429 5
/// relay:  230 requests   success 99.13% [97.21–99.80]   p95 1.2s   errors none
/// model: gpt-4.1   legacy 99.50% of 285   relay 70.00% of 15   FAIL ≤ -12.3pt
/// model: other   legacy 99.40% of 2,410   relay 99.60% of 240   ok
/// breakers: legacy/* closed   relay/* closed
/// rollback switch: off
/// next step: 16.88% needs 100 relay calls (have 45, 55 more) and 2m held (held 1m20s, 40s to go); next check in 12s
/// ```
public enum StatusText {
    /// The lines of `shepherd status` for a status read from `url`.
    public static func render(_ status: RolloutStatus, url: String) -> [String] {
        var lines: [String] = []
        lines.append("rollout: \(status.rolloutID)   server: \(url)   at \(status.now)")
        lines.append("phase: \(status.state.phase)   percent: \(percentText(status))")
        lines.append("verdict: \(status.verdict.kind.rawValue) (score \(TextFormat.fixed(status.verdict.score, 2)))")
        lines.append("reason: \(status.verdict.reason.summary)")
        let confidence = status.policy.confidence
        lines.append("legacy: " + pathText(status.legacy, confidence: confidence))
        lines.append("relay:  " + pathText(status.relay, confidence: confidence))
        lines += modelLines(status.verdict.reason.models ?? [])
        lines.append("breakers: " + breakersText(status.breakers))
        lines.append("rollback switch: " + switchText(status))
        if let problem = status.rollbackError { lines.append("rollback switch error: \(problem)") }
        for (path, cause) in (status.problems ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("configuration problem (\(path)): \(cause)")
        }
        lines.append("next step: " + nextStepText(status))
        if let shadow = status.shadow, status.state.phase == .shadowing || shadow.pairs > 0 {
            lines += shadowText(shadow)
        }
        if let bake = status.bake { lines.append("bake: " + DashboardText.bake(bake)) }
        if let fleet = status.fleet { lines += fleetText(fleet, version: status.version) }
        return lines
    }

    /// `shadow: 212 pairs, 198 agree (0.934 [0.893, 0.96])` and one `shadow differs:` line per
    /// failing comparison, with the request id of an example (and its texts only with
    /// `shadow.keepExamples: true`).
    static func shadowText(_ shadow: ShadowVerdict) -> [String] {
        var lines = [
            "shadow: \(shadow.pairs) pairs, \(shadow.agreeing) agree (\(TextFormat.fixed(shadow.pairs == 0 ? 0 : Double(shadow.agreeing) / Double(shadow.pairs), 3)) "
                + "[\(TextFormat.fixed(shadow.agreementLower, 3)), \(TextFormat.fixed(shadow.agreementUpper, 3))]); "
                + "spend last hour $\(TextFormat.fixed(shadow.spendLastHour, 4))\(shadow.pausedForSpend ? " (PAUSED: spend cap)" : "")",
            "shadow verdict: \(shadow.passed ? "passed" : "holding"): \(shadow.summary)",
        ]
        if let tokens = shadow.outputTokens, let cost = shadow.cost, tokens.count == 2, cost.count == 2,
            shadow.pairs > 0
        {
            lines.append(
                "shadow answers: output tokens legacy \(TextFormat.count(tokens[0])), relay \(TextFormat.count(tokens[1]))   "
                    + "spend legacy $\(TextFormat.fixed(cost[0], 4)), relay $\(TextFormat.fixed(cost[1], 4))   "
                    + "text overlap \(TextFormat.fixed(shadow.meanTextSimilarity ?? 0, 2))")
        }
        for worst in shadow.worst {
            var line = "shadow differs: \(worst.check.rawValue) in \(worst.count) of \(shadow.pairs)"
            if let id = worst.exampleRequestID { line += ", e.g. request \(id)" }
            if let texts = worst.exampleTexts, texts.count == 2 {
                line += " (legacy: \(texts[0].debugDescription), relay: \(texts[1].debugDescription))"
            }
            lines.append(line)
        }
        return lines
    }

    /// The replicas of a shared store: `store:`, `evaluator:` and one `replica:` line each.
    static func fleetText(_ fleet: FleetView, version: Int64?) -> [String] {
        var lines = [
            "store: shared, \(fleet.storeReachable ? "reachable" : "UNREACHABLE"), version \(version ?? 0), this replica \(fleet.replicaID)"
                + (fleet.note.map { " (\($0))" } ?? "")
        ]
        if let lease = fleet.lease {
            lines.append(
                "evaluator: \(lease.fence.holder) (epoch \(lease.fence.epoch), lease until \(lease.expiresAt))")
        }
        for replica in fleet.replicas {
            let report = replica.report
            let sources = report.localSwitchSources.keys.sorted().joined(separator: ", ")
            lines.append(
                "replica: \(report.replica)   heartbeat \(replica.lastHeartbeat)   version \(report.versionSeen)   "
                    + "serving \(formatPercent(report.effectivePercent))" + (report.isEvaluator ? "   evaluator" : "")
                    + (sources.isEmpty ? "" : "   local switch: \(sources)"))
        }
        return lines
    }

    /// `11.25% (step 3/9)`, or `0% (rollback switch engaged; stored 11.25%, step 3/9)`.
    static func percentText(_ status: RolloutStatus) -> String {
        let state = status.state
        let step = TextFormat.step(state, ladder: status.ladder)
        switch state.phase {
        case .idle, .rolledBack:
            return formatPercent(status.effectivePercent)
        case .shadowing:
            return "0% (shadowing: legacy answers every call)"
        case .ramping, .paused, .baking, .promoted:
            if status.rollbackEngaged {
                return "\(formatPercent(status.effectivePercent)) (rollback switch engaged; stored "
                    + "\(formatPercent(state.percent)), step \(step))"
            }
            return "\(formatPercent(status.effectivePercent)) (step \(step))"
        }
    }

    /// `1,204 requests   success 99.00% [98.53–99.33]   p95 1.1s   errors 5xx 3 · 429 5`.
    static func pathText(_ path: PathSummary, confidence: Double) -> String {
        var text = "\(TextFormat.count(path.requests)) requests   success \(TextFormat.rate(path.successRate))"
        if let (lower, upper) = PathFigures.successInterval(path, confidence: confidence) {
            text += " [\(TextFormat.interval(lower, upper))]"
        }
        text += "   p95 \(TextFormat.seconds(path.p95))   errors \(TextFormat.errorMix(path.failures))"
        return text
    }

    /// One `model:` line per row of the verdict's per-model table (none when calls name no model).
    static func modelLines(_ models: [ModelCheck]) -> [String] {
        models.map {
            "model: \($0.model)   legacy \(ModelRowText.rate($0.legacy))   relay \(ModelRowText.rate($0.relay))   "
                + ModelRowText.outcome($0).0
        }
    }

    /// `legacy/* closed   relay/* open`, sorted by name; `none yet` before the first call.
    static func breakersText(_ breakers: [String: String]) -> String {
        guard !breakers.isEmpty else { return "none yet" }
        return breakers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "   ")
    }

    /// `off`, or `ENGAGED by flagFile (flag file /run/shepherd/rollback exists); override (…)`.
    static func switchText(_ status: RolloutStatus) -> String {
        guard status.rollbackEngaged else { return "off" }
        let sources = status.rollbackSources.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        return sources.isEmpty ? "ENGAGED" : "ENGAGED by " + sources.joined(separator: "; ")
    }

    /// What the ramp waits for, or what an operator can do.
    static func nextStepText(_ status: RolloutStatus) -> String {
        let state = status.state
        let first = status.ladder.first.map(formatPercent) ?? "the first step"
        if status.rollbackEngaged {
            return "none while the rollback switch is engaged (the ramp is frozen)"
        }
        switch state.phase {
        case .idle:
            return "not started: `shepherd promote` starts at \(first)"
        case .paused:
            return "paused: `shepherd resume` continues the ramp"
        case .rolledBack:
            return "rolled back: `shepherd resume` restarts at \(first)"
        case .promoted:
            return "none: promoted, all traffic on the relay"
        case .shadowing:
            return
                "shadowing: the first step (\(first)) begins when the shadow comparison passes; `shepherd promote` skips it"
        case .baking:
            return "baking: promoted when the bake ends with no regression; `shepherd promote` ends it now"
        case .ramping:
            guard let next = status.nextStep else { return "none" }
            let samplesLeft = max(0, next.samplesNeeded - next.relaySamplesInStep)
            let holdLeft = max(0, next.minHoldSeconds - next.heldSeconds)
            var text =
                "\(formatPercent(next.nextPercent)) needs \(TextFormat.count(next.samplesNeeded)) relay calls "
                + "(have \(TextFormat.count(next.relaySamplesInStep)), "
                + (samplesLeft == 0 ? "done" : "\(TextFormat.count(samplesLeft)) more") + ") and "
                + "\(TextFormat.seconds(next.minHoldSeconds)) held (held \(TextFormat.seconds(next.heldSeconds)), "
                + (holdLeft == 0 ? "done" : "\(TextFormat.seconds(holdLeft)) to go") + ")"
            if samplesLeft == 0, holdLeft == 0, status.verdict.kind != .healthy {
                text += "; waiting for a healthy verdict"
            }
            if let seconds = next.nextEvaluationInSeconds {
                text += "; next check in \(TextFormat.seconds(seconds))"
            }
            return text
        }
    }

    /// One line per event for `shepherd events`:
    /// `2026-11-21T14:05:09.120Z  #12  ramping 7.5% → ramping 11.25% (stepAdvanced): held 2m …`.
    public static func eventLine(_ stored: StoredEvent) -> String {
        "\(stored.event.time)  #\(stored.sequence)  \(stored.event.summary)"
    }

    /// The result of `shepherd rollback-switch engage|release`: the switch's sources now, and
    /// what the relay gets. Releasing the override leaves the other sources (`SHEPHERD_ROLLBACK`,
    /// the flag file) alone, so the line names any that still hold the switch.
    public static func switchCommandLine(engaging: Bool, _ result: RollbackSwitchResult) -> String {
        let sources = result.sources.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
            .joined(separator: "; ")
        if engaging {
            return "rollback switch: ENGAGED by \(sources): the relay gets 0% until every source is released; "
                + "the stored ramp is kept"
        }
        if result.engaged {
            return "rollback switch: override released; still ENGAGED by \(sources): the relay gets 0% until "
                + "that is released too"
        }
        return
            "rollback switch: off; the split follows the ramp again (relay \(formatPercent(result.effectivePercent)))"
    }

    /// The result of a command: `paused: ramping 11.25% → paused 11.25% (manualPause): …`.
    public static func commandLine(_ command: String, _ result: AdminCommandResult) -> String {
        var line = "\(command): \(result.event.summary)"
        if result.rollbackEngaged {
            line += " (the rollback switch is engaged: the relay gets 0% until it is released)"
        }
        return line
    }
}
