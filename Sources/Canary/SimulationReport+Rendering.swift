extension SimulationReport {
    /// The report as a table for people: transitions, scenario events, and each change of hold reason
    /// (repeats of the same hold are folded into one line with a count).
    public func renderTable() -> String {
        var lines: [String] = []
        lines.append(
            "Shepherd simulation: scenario \(scenario), rollout \(rolloutID), seed \(seed), "
                + "\(DurationText.format(Duration.seconds(duration))) of virtual time")
        lines.append("")
        lines.append(
            pad("time", 8) + pad("phase", 12) + pad("percent", 9) + pad("verdict", 18) + pad("score", 7)
                + "what happened")
        var index = 0
        while index < entries.count {
            let entry = entries[index]
            var repeats = 1
            if entry.kind == .hold {
                while index + repeats < entries.count, entries[index + repeats].kind == .hold,
                    entries[index + repeats].hold == entry.hold, entries[index + repeats].reason == entry.reason
                {
                    repeats += 1
                }
            }
            let what: String
            switch entry.kind {
            case .transition: what = entry.message
            case .note: what = "— \(entry.message)"
            case .hold: what = repeats > 1 ? "\(entry.message) (×\(repeats) evaluations)" : entry.message
            }
            lines.append(
                pad(clock(entry.at), 8) + pad(entry.phase.rawValue, 12) + pad(formatPercent(entry.percent), 9)
                    + pad(entry.verdict?.rawValue ?? "-", 18)
                    + pad(entry.score.map { formatFixed($0, 2) } ?? "-", 7) + what)
            index += repeats
        }
        lines.append("")
        lines.append(
            "Final state: \(finalPhase) at \(formatPercent(finalPercent)) (highest reached \(formatPercent(maxPercentReached)))"
        )
        if let promotedAt { lines.append("Promoted at \(clock(promotedAt))") }
        if let rolledBackAt { lines.append("First rollback at \(clock(rolledBackAt))") }
        lines.append(
            "Traffic: legacy \(legacy.requests) calls (\(rate(legacy))% ok), relay \(relay.requests) calls (\(rate(relay))% ok), "
                + "\(fallbacks) relay failures answered by legacy, \(clientVisibleFailures) client-visible failures")
        return lines.joined(separator: "\n")
    }

    private func rate(_ totals: PathTotals) -> String {
        totals.requests == 0 ? "-" : formatFixed(Double(totals.successes) / Double(totals.requests) * 100, 2)
    }

    private func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(two(minutes)):\(two(secs))"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
