import Canary
import Shepherd

extension Frame {
    // MARK: Shadow

    /// The shadow comparison while the rollout shadows: pairs and agreement with its interval,
    /// the spend, and one row per failing comparison with an example's request id.
    func shadow(_ status: RolloutStatus) -> [StyledLine] {
        guard status.state.phase == .shadowing, let shadow = status.shadow else { return [] }
        let share = shadow.pairs == 0 ? 0 : Double(shadow.agreeing) / Double(shadow.pairs)
        var lines = [
            StyledLine([
                Span("  SHADOW  ", .bold),
                Span("\(TextFormat.count(shadow.pairs)) pairs · agree \(TextFormat.fixed(share, 3)) "),
                Span(
                    "[\(TextFormat.fixed(shadow.agreementLower, 3))–\(TextFormat.fixed(shadow.agreementUpper, 3))]",
                    .dim),
                Span(" · spend/h $\(TextFormat.fixed(shadow.spendLastHour, 2))"),
                shadow.pausedForSpend
                    ? Span(" · PAUSED: spend cap", .red) : Span(shadow.passed ? " · passed" : "", .green),
            ])
        ]
        for worst in shadow.worst {
            lines.append(
                StyledLine([
                    Span("  " + TerminalWidth.pad("differs: \(worst.check.rawValue)", 26), .yellow),
                    Span("\(TextFormat.count(worst.count)) of \(TextFormat.count(shadow.pairs))"),
                    Span(worst.exampleRequestID.map { " · e.g. request \($0)" } ?? "", .dim),
                ]))
        }
        return lines
    }
}
