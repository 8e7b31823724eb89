import Canary
import Shepherd

extension Frame {
    // MARK: Paths

    func paths(_ status: RolloutStatus) -> [StyledLine] {
        let confidence = status.policy.confidence
        func row(_ label: String, _ legacy: [Span], _ relay: [Span]) -> StyledLine {
            StyledLine([Span("  " + TerminalWidth.pad(label, labelWidth), .dim)] + cell(legacy) + relay)
        }
        func success(_ path: PathSummary) -> [Span] {
            var spans = [Span(TextFormat.rate(path.successRate), .bold)]
            if let (lower, upper) = PathFigures.successInterval(path, confidence: confidence) {
                spans.append(Span(" [\(TextFormat.interval(lower, upper))]", .dim))
            }
            return spans
        }
        func latency(_ path: PathSummary) -> [Span] {
            [
                Span(
                    "\(TextFormat.seconds(path.p50)) / \(TextFormat.seconds(path.p95)) / \(TextFormat.seconds(path.p99))"
                )
            ]
        }
        func ttft(_ path: PathSummary) -> [Span] {
            [Span("\(TextFormat.seconds(path.ttftP50)) / \(TextFormat.seconds(path.ttftP95))")]
        }
        func errors(_ path: PathSummary) -> [Span] {
            let mix = TextFormat.errorMix(path.failures)
            return [Span(mix, path.failures.againstPath > 0 ? .red : .dim)]
        }
        func spend(_ path: PathSummary) -> [Span] {
            var text = TextFormat.dollars(path.cost)
            if let per1k = PathFigures.costPer1k(path) { text += " · \(TextFormat.dollars(per1k))/1k req" }
            return [Span(text)]
        }
        func header(_ name: String, _ path: TrafficPath) -> [Span] {
            let share = path == .relay ? status.effectivePercent : 100 - status.effectivePercent
            return [Span(name, .bold), Span(" (\(formatPercent(share)))", .dim)]
        }
        return [
            row("", header("LEGACY", .legacy), header("RELAY", .relay)),
            row(
                "requests", [Span(TextFormat.count(status.legacy.requests))],
                [Span(TextFormat.count(status.relay.requests))]),
            row("success", success(status.legacy), success(status.relay)),
            row("p50/p95/p99", latency(status.legacy), latency(status.relay)),
            row("ttft p50/p95", ttft(status.legacy), ttft(status.relay)),
            row("errors", errors(status.legacy), errors(status.relay)),
            row("spend", spend(status.legacy), spend(status.relay)),
            row("breakers", breakers(status.breakers, path: "legacy"), breakers(status.breakers, path: "relay")),
        ]
    }

    /// Spans padded (or cut) to exactly one table column, with a gap before the next.
    func cell(_ spans: [Span]) -> [Span] {
        let limit = columnWidth - 1
        var out: [Span] = []
        var used = 0
        for span in spans {
            let text = TerminalWidth.truncate(span.text, limit - used)
            guard !text.isEmpty else { break }
            out.append(Span(text, span.tone))
            used += TerminalWidth.columns(text)
        }
        out.append(Span(String(repeating: " ", count: max(0, columnWidth - used))))
        return out
    }

    /// One path's breakers: `closed` for a single breaker, `gpt-4.1 open · * closed` for several.
    func breakers(_ all: [String: String], path: String) -> [Span] {
        let mine = all.filter { $0.key.hasPrefix(path + "/") }.sorted { $0.key < $1.key }
        guard !mine.isEmpty else { return [Span("–", .dim)] }
        func tone(_ state: String) -> Tone {
            switch state {
            case "closed": .green
            case "half_open", "halfOpen": .yellow
            case "disabled": .dim
            default: .red
            }
        }
        if mine.count == 1 { return [Span(mine[0].value, tone(mine[0].value))] }
        // With a breaker per model (tier calls) the cell cannot list them all: the ones that are
        // not closed come first, by key (`path` for the path's own breaker), then a count.
        let closed = mine.filter { $0.value == "closed" }.count
        if closed == mine.count { return [Span("all \(closed) closed", .green)] }
        var spans: [Span] = []
        for entry in mine where entry.value != "closed" {
            if !spans.isEmpty { spans.append(Span(" · ", .dim)) }
            let name = String(entry.key.dropFirst(path.count + 1))
            spans.append(Span((name == "*" ? "path" : name) + " "))
            spans.append(Span(entry.value, tone(entry.value)))
        }
        if closed > 0 { spans.append(Span(" · \(closed) closed", .dim)) }
        return spans
    }

    // MARK: Trends and events

    /// The heading and the sparklines, most useful first (the compositor may keep only a few rows).
    func trends(_ history: [EvaluationRecord], status: RolloutStatus) -> [StyledLine] {
        guard !history.isEmpty else { return [] }
        let valueWidth = 9
        let sparkWidth = max(4, width - 2 - (labelWidth + 1) - valueWidth - 1)
        let shown = Array(history.suffix(sparkWidth))
        let interval = TextFormat.seconds(status.policy.evaluationIntervalSeconds)
        var lines = [
            StyledLine([
                Span("  TRENDS  ", .bold),
                Span("last \(shown.count) evaluation\(shown.count == 1 ? "" : "s"), every \(interval)", .dim),
            ])
        ]
        let relayRates = shown.map(\.relay.successRate)
        let legacyRates = shown.map(\.legacy.successRate)
        let lowestRate = (relayRates + legacyRates).compactMap { $0 }.min() ?? 1
        let rateFloor = max(0, min(lowestRate, status.policy.absoluteFloor - 0.05))
        let p95s = shown.map(\.relay.p95)
        let p95Top = max((p95s + shown.map(\.legacy.p95)).compactMap { $0 }.max() ?? 0, 0.001)
        func spark(
            _ label: String, _ values: [Double?], _ lower: Double, _ upper: Double, _ value: String, _ tone: Tone
        )
            -> StyledLine
        {
            StyledLine([
                Span("  " + TerminalWidth.pad(label, labelWidth + 1), .dim),
                Span(Sparkline.render(values, width: sparkWidth, lower: lower, upper: upper), tone),
                Span(" " + value),
            ])
        }
        let relayTone: Tone = status.verdict.kind == .unhealthy ? .red : .green
        lines.append(
            spark("relay success", relayRates, rateFloor, 1, TextFormat.rate(relayRates.last ?? nil), relayTone))
        lines.append(spark("canary %", shown.map(\.percent), 0, 100, formatPercent(shown.last?.percent ?? 0), .cyan))
        lines.append(spark("relay p95", p95s, 0, p95Top, TextFormat.seconds(p95s.last ?? nil), .magenta))
        lines.append(
            spark("legacy success", legacyRates, rateFloor, 1, TextFormat.rate(legacyRates.last ?? nil), .blue))
        return lines
    }

    /// The heading and the events, newest first.
    func events(_ events: [StoredEvent], status: RolloutStatus) -> [StyledLine] {
        guard !events.isEmpty else { return [] }
        var lines = [StyledLine([Span("  EVENTS  ", .bold), Span("newest first", .dim)])]
        for stored in events.reversed() {
            let event = stored.event
            let tone: Tone? =
                switch event.reason.kind {
                case .rolledBackOnFailure, .rolledBackAfterFailedChecks, .manualRollback: .red
                case .pausedOnFailure, .steppedBack, .manualPause: .yellow
                case .promoted, .stepAdvanced: .green
                default: nil
                }
            let age = TextFormat.age(status.now.unixSeconds - event.time.unixSeconds)
            lines.append(
                StyledLine([
                    Span("  \(TextFormat.clockTime(event.time)) ", .dim), Span(TerminalWidth.pad(age, 4), .dim),
                    Span(TextFormat.oneLine(event.summary), tone),
                ]))
        }
        return lines
    }

    // MARK: Bottom

    func message(_ model: DashboardModel) -> StyledLine {
        if let prompt = model.prompt { return StyledLine([Span("  ? ", .yellow), Span(prompt, .yellow)]) }
        guard let message = model.message else { return .blank }
        let tone: Tone = model.messageIsError ? .red : .green
        return StyledLine([Span("  › ", tone), Span(TextFormat.oneLine(message), tone)])
    }

    func keys() -> StyledLine {
        var spans: [Span] = [Span(" ")]
        for (key, action) in [("p", "pause"), ("r", "resume"), ("b", "rollback"), ("+", "promote"), ("q", "quit")] {
            spans.append(Span(" \(key)", .bold))
            spans.append(Span(" \(action) ", .dim))
        }
        return StyledLine(spans)
    }
}
