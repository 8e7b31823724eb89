import Canary
import Shepherd

/// The dashboard for pipes and CI logs: one dense line per refresh, no escape codes.
///
/// ```text
/// 14:05:09Z checkout-to-relay ramping 11.25% step 3/9 | healthy 0.98 | legacy 99.00% n=1204 p95 1.1s | relay 99.13% n=230 p95 1.2s | switch off | next 16.88% calls 45/100 held 1m20s/2m
/// ```
///
/// Fields are separated by ` | ` in a fixed order so that `grep`/`cut` work on them; a rollback
/// switch shows as `switch ENGAGED(flagFile)`, a lost connection as a leading `STALE (…)`.
public enum PlainStatusLine {
    /// The line for `model`.
    public static func render(_ model: DashboardModel) -> String {
        guard let status = model.status else {
            let problem = model.connectionProblem.map { " (\(TextFormat.oneLine($0)))" } ?? ""
            return "waiting for the first status from \(model.server)\(problem)"
        }
        var fields: [String] = []
        var head = ""
        if let problem = model.connectionProblem { head += "STALE (\(TextFormat.oneLine(problem))) " }
        head +=
            "\(TextFormat.clockTime(status.now))Z \(status.rolloutID) \(status.state.phase) "
            + formatPercent(status.effectivePercent)
        if status.state.phase != .idle, status.state.phase != .rolledBack, status.state.phase != .shadowing {
            head += " step \(TextFormat.step(status.state, ladder: status.ladder))"
        }
        if status.state.phase == .shadowing, let shadow = status.shadow {
            head += " shadow \(shadow.agreeing)/\(shadow.pairs) agree"
        }
        fields.append(head)
        fields.append("\(status.verdict.kind.rawValue) \(TextFormat.fixed(status.verdict.score, 2))")
        for (name, path) in [("legacy", status.legacy), ("relay", status.relay)] {
            var text =
                "\(name) \(TextFormat.rate(path.successRate)) n=\(PathFigures.judged(path)) p95 \(TextFormat.seconds(path.p95))"
            if path.failures.againstPath > 0 {
                text += " errors \(TextFormat.errorMix(path.failures).replacing(" · ", with: ","))"
            }
            fields.append(text)
        }
        if status.rollbackEngaged {
            fields.append("switch ENGAGED(\(status.rollbackSources.keys.sorted().joined(separator: ",")))")
        } else {
            fields.append("switch off")
        }
        let open = status.breakers.filter { $0.value != "closed" }.sorted { $0.key < $1.key }
        if !open.isEmpty { fields.append("breakers " + open.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) }
        if let fleet = status.fleet {
            // On a shared store: whether the database answers, and how many replicas report.
            let evaluator = fleet.lease.map { " evaluator \($0.fence.holder)" } ?? ""
            fields.append(
                "store \(fleet.storeReachable ? "ok" : "UNREACHABLE") v\(status.version ?? 0) "
                    + "\(fleet.replicas.count) replica\(fleet.replicas.count == 1 ? "" : "s")\(evaluator)")
        }
        if let next = status.nextStep, status.state.phase == .ramping, !status.rollbackEngaged {
            fields.append(
                "next \(formatPercent(next.nextPercent)) calls \(next.relaySamplesInStep)/\(next.samplesNeeded) "
                    + "held \(TextFormat.seconds(next.heldSeconds))/\(TextFormat.seconds(next.minHoldSeconds))")
        }
        if let message = model.message { fields.append("msg \(TextFormat.oneLine(message))") }
        return fields.joined(separator: " | ")
    }
}
