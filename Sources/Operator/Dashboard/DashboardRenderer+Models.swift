import Canary
import Shepherd

extension Frame {
    // MARK: Models

    /// The per-model table: one row per model of the verdict (top N by traffic, then `other`),
    /// each path's success rate over its judged calls, and the model's own comparison. Shown only
    /// when calls name their model.
    func models(_ status: RolloutStatus) -> [StyledLine] {
        guard let models = status.verdict.reason.models, !models.isEmpty else { return [] }
        let failing = models.filter { $0.outcome == .fail }.count
        var lines = [
            StyledLine([
                Span("  MODELS  ", .bold),
                Span("legacy vs relay per model, judged model for model", .dim),
                failing == 0 ? Span("") : Span(" · \(failing) failing on the relay", .red),
            ])
        ]
        let nameWidth = min(24, max(8, models.map { $0.model.count + 2 }.max() ?? 8))
        for row in models {
            let (text, tone) = ModelRowText.outcome(row)
            lines.append(
                StyledLine([
                    Span("  " + TerminalWidth.pad(row.model, nameWidth)),
                    Span(TerminalWidth.pad("legacy " + ModelRowText.rate(row.legacy), 24)),
                    Span(
                        TerminalWidth.pad("relay " + ModelRowText.rate(row.relay), 23),
                        row.outcome == .fail ? .red : nil),
                    Span(text, tone),
                ]))
        }
        return lines
    }
}

/// The words of a per-model row, shared by `shepherd status`, the dashboard and the report.
enum ModelRowText {
    /// `99.50% of 285`, or `no calls`.
    static func rate(_ counts: ModelCounts) -> String {
        counts.judged == 0 ? "no calls" : "\(TextFormat.rate(counts.successRate)) of \(TextFormat.count(counts.judged))"
    }

    /// `ok`, `FAIL ≤ −12.3pt`, `?` or why the model was not judged, with its tone.
    static func outcome(_ row: ModelCheck) -> (String, Tone) {
        switch row.outcome {
        case .pass: ("ok", .green)
        case .fail: ("FAIL ≤ \(points(row.upper ?? 0))", .red)
        case .inconclusive: ("? [\(points(row.lower ?? 0)), \(points(row.upper ?? 0))]", .yellow)
        case nil: (row.note ?? "not judged", .dim)
        }
    }

    /// A difference in points: `-12.3pt`, `+0.4pt`.
    static func points(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + TextFormat.fixed(value * 100, 1) + "pt"
    }
}
