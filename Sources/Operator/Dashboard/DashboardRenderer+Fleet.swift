import Canary
import Shepherd

extension Frame {
    // MARK: Fleet

    /// The store's line in the top of the frame: shown only on a shared store, red when the
    /// database cannot be reached (the percentage is frozen then, and the operator must know).
    func store(_ status: RolloutStatus) -> [StyledLine] {
        guard let fleet = status.fleet else { return [] }
        var spans = [Span("  STORE  ", .bold)]
        if fleet.storeReachable {
            spans.append(Span("shared, reachable", .green))
        } else {
            spans.append(Span("shared, UNREACHABLE", .red))
        }
        spans.append(Span(" · version \(status.version ?? 0)", .dim))
        if let lease = fleet.lease {
            spans.append(Span(" · evaluator \(lease.fence.holder) (epoch \(lease.fence.epoch))", .dim))
        }
        var lines = [StyledLine(spans)]
        if let note = fleet.note {
            lines.append(
                StyledLine([Span("  ! ", fleet.storeReachable ? .yellow : .red), Span(TextFormat.oneLine(note))]))
        }
        return lines
    }

    /// The heading and one row per replica that reported recently, this one marked: its last
    /// heartbeat, the version it serves, its percentage and its local rollback-switch sources.
    /// Health in the path table above is the fleet's sum at the last evaluation.
    func fleet(_ status: RolloutStatus) -> [StyledLine] {
        guard let fleet = status.fleet, !fleet.replicas.isEmpty else { return [] }
        let count = fleet.replicas.count
        var lines = [
            StyledLine([
                Span("  FLEET  ", .bold),
                Span("\(count) replica\(count == 1 ? "" : "s") (* this one); health above is their sum", .dim),
            ])
        ]
        let idWidth = min(30, max(8, fleet.replicas.map { $0.report.replica.count + 3 }.max() ?? 8))
        for replica in fleet.replicas {
            let report = replica.report
            let ago = TextFormat.age(max(0, status.now.unixSeconds - replica.lastHeartbeat.unixSeconds))
            let behind = (status.version ?? 0) > report.versionSeen
            let sources = report.localSwitchSources.keys.sorted().joined(separator: ", ")
            var spans = [
                Span(
                    "  " + TerminalWidth.pad(report.replica + (report.replica == fleet.replicaID ? " *" : ""), idWidth)),
                Span(TerminalWidth.pad("seen \(ago) ago", 14), .dim),
                Span(TerminalWidth.pad("v\(report.versionSeen)", 6), behind ? .yellow : nil),
                Span(TerminalWidth.pad(formatPercent(report.effectivePercent), 8)),
            ]
            if report.isEvaluator { spans.append(Span("evaluator ", .cyan)) }
            if !sources.isEmpty { spans.append(Span("switch: \(sources)", .red)) }
            lines.append(StyledLine(spans))
        }
        return lines
    }
}
