import Canary
import Shepherd

/// The Markdown form of the report: the HTML report's facts in tables, and the canary
/// percentage drawn as a text bar chart, for a pull request, a wiki page or an incident document.
struct MarkdownReport {
    let data: ReportData

    func render() -> String {
        var lines: [String] = []
        lines.append("# Rollout report: \(md(data.rolloutID))")
        lines.append("")
        var meta = "Generated \(ReportFormat.time(data.generatedAt)) from \(code(data.source))."
        if let range = data.timeRange {
            meta +=
                " Covers \(ReportFormat.time(range.start)) to \(ReportFormat.time(range.end))"
                + " (\(ReportFormat.span(range.start.duration(to: range.end))))."
        }
        lines.append(meta)
        summary(&lines)
        finalState(&lines)
        timeline(&lines)
        health(&lines)
        shadowAndBake(&lines)
        spend(&lines)
        steps(&lines)
        transitions(&lines)
        evaluations(&lines)
        lines.append("")
        lines.append("## Notes")
        lines.append("")
        lines.append(ReportRenderer.windowNote)
        lines.append("")
        return lines.joined(separator: "\n")
    }

    // MARK: Sections

    private func summary(_ lines: inout [String]) {
        heading(&lines, "At a glance")
        var rows: [[String]] = [["Rollout", md(data.rolloutID)]]
        rows.append(["Final state", md(data.state.map(ReportRenderer.stateLine) ?? "no state stored")])
        if let percent = data.state?.percent { rows.append(["Final percent", ReportFormat.percent(percent)]) }
        rows.append(["Highest percent reached", ReportFormat.percent(data.highestPercent)])
        rows.append([
            "Transitions",
            "\(data.events.count) (\(data.rollbacks.count) rollback\(data.rollbacks.count == 1 ? "" : "s"))",
        ])
        let verdicts = data.verdictCounts
        rows.append([
            "Evaluations stored",
            "\(data.evaluations.count) (\(verdicts.healthy) healthy, \(verdicts.insufficientData) insufficient data, "
                + "\(verdicts.unhealthy) unhealthy)",
        ])
        if let range = data.timeRange {
            rows.append([
                "Time covered",
                "\(ReportFormat.time(range.start)) to \(ReportFormat.time(range.end)) "
                    + "(\(ReportFormat.span(range.start.duration(to: range.end))))",
            ])
        }
        if let last = data.rollbacks.last {
            let event = last.event
            rows.append([
                "Last rollback",
                md(
                    "\(ReportFormat.time(event.time)) from \(ReportFormat.percent(event.fromPercent)) "
                        + "(\(event.reason.kind.rawValue)): \(event.reason.message)"),
            ])
        }
        if let last = data.evaluations.last, let comparison = ReportRenderer.costComparison(last) {
            rows.append(["Cost, last window", md(comparison)])
        }
        if data.eventsTruncated || data.evaluationsTruncated {
            rows.append([
                "Note",
                "only the most recent \(data.events.count) transitions and \(data.evaluations.count) evaluations were read",
            ])
        }
        table(&lines, ["", ""], rows)
    }

    private func finalState(_ lines: inout [String]) {
        heading(&lines, "Final state")
        guard let state = data.state else {
            lines.append("The store holds no state for this rollout.")
            return
        }
        var rows: [[String]] = [
            ["Phase", state.phase.rawValue],
            ["Stored percent", ReportFormat.percent(state.percent)],
            ["Percent the split uses (rollback switch released)", ReportFormat.percent(state.effectivePercent)],
            ["Ladder step", "\(state.step)"],
            ["Step started", state.stepStartedAt.map(ReportFormat.time) ?? "n/a"],
            ["Unhealthy verdicts in a row", "\(state.consecutiveFailures)"],
            ["Phase before the last pause or rollback", state.resumePhase?.rawValue ?? "n/a"],
            ["Last recorded", data.lastUpdate.map(ReportFormat.time) ?? "n/a"],
        ]
        if let last = data.evaluations.last {
            rows.append(["Rollback switch at the last evaluation", last.rollbackEngaged ? "engaged" : "released"])
            rows.append([
                "Last verdict",
                md(
                    "\(last.verdict.kind.rawValue) (score \(ReportFormat.fixed(last.verdict.score, 2))): "
                        + last.verdict.reason.summary),
            ])
        }
        table(&lines, ["", ""], rows)
    }

    private func timeline(_ lines: inout [String]) {
        guard transitionsSection(&lines, "Canary percent") else { return }
        lines.append(
            "The percentage stored after each transition (one block = 2.5%); numbers as in the transitions table.")
        lines.append("")
        lines.append("```text")
        let width = data.events.count >= 100 ? 3 : data.events.count >= 10 ? 2 : 1
        for (offset, stored) in data.events.enumerated() {
            let event = stored.event
            let number = String(offset + 1)
            let percent = ReportFormat.percent(event.toPercent)
            let blocks = Int((min(max(event.toPercent, 0), 100) / 2.5).rounded())
            let bar = String(repeating: "█", count: blocks) + String(repeating: "·", count: 40 - blocks)
            lines.append(
                "\(pad(number, width, left: true))  \(ReportFormat.time(event.time))  \(bar) \(pad(percent, 7, left: true))  "
                    + "\(event.reason.kind.rawValue)")
        }
        lines.append("```")
        let spans = data.rollbackSwitchSpans
        if !spans.isEmpty {
            lines.append("")
            lines.append(
                "The rollback switch was engaged (every request on legacy) from "
                    + spans.map { "\(ReportFormat.time($0.start)) to \(ReportFormat.time($0.end))" }.joined(
                        separator: ", ")
                    + ".")
        }
    }

    private func health(_ lines: inout [String]) {
        heading(&lines, "Health per path")
        guard let last = data.evaluations.last else {
            lines.append("No evaluation is stored for this rollout.")
            return
        }
        lines.append(
            "Success rate (successes over judged calls) and latency of successful calls in the scoring window; "
                + "the HTML report charts them over time.")
        lines.append("")
        lines.append("### The last scoring window (\(ReportFormat.time(last.time)))")
        lines.append("")
        table(
            &lines,
            [
                "path", "requests", "judged", "success rate", "failures", "p50", "p95", "p99", "TTFT p50", "tokens in",
                "tokens out", "spend in the window", "cost per 1k requests",
            ],
            TrafficPath.allCases.map { path in
                let s = last.summary(of: path)
                return [
                    path.displayName, ReportFormat.count(s.requests), ReportFormat.count(s.judged),
                    ReportFormat.rate(s.successRate), md(ReportRenderer.failuresLine(s)), ReportFormat.latency(s.p50),
                    ReportFormat.latency(s.p95), ReportFormat.latency(s.p99), ReportFormat.latency(s.ttftP50),
                    ReportFormat.count(s.inputTokens), ReportFormat.count(s.outputTokens), ReportFormat.dollars(s.cost),
                    ReportFormat.dollars(s.costPer1kRequests),
                ]
            }, numeric: Set(1...12).subtracting([4]))
        if let models = last.verdict.reason.models, !models.isEmpty {
            lines.append("")
            lines.append("### Per model in the last scoring window")
            lines.append("")
            lines.append(md(ReportRenderer.modelNote))
            lines.append("")
            table(
                &lines, ReportRenderer.modelHeaders, ReportRenderer.modelRows(models).map { $0.map(md) },
                numeric: [1, 2, 3, 4])
        }
        lines.append("")
        lines.append("### The worst scoring window of each path")
        lines.append("")
        table(
            &lines, ["path", "lowest success rate", "highest p95", "highest cost per 1k requests", "largest window"],
            TrafficPath.allCases.map { path in
                let worst = data.extremes(of: path)
                return [
                    path.displayName,
                    worst.lowestSuccess.map { "\(ReportFormat.rate($0.value)) at \(ReportFormat.time($0.time))" }
                        ?? "n/a",
                    worst.highestP95.map { "\(ReportFormat.latency($0.value)) at \(ReportFormat.time($0.time))" }
                        ?? "n/a",
                    worst.highestCostPer1k.map { "\(ReportFormat.dollars($0.value)) at \(ReportFormat.time($0.time))" }
                        ?? "n/a",
                    worst.largestWindow.map {
                        "\(ReportFormat.count($0.value)) requests at \(ReportFormat.time($0.time))"
                    }
                        ?? "n/a",
                ]
            })
        if let floor = data.absoluteFloor {
            lines.append("")
            lines.append("The relay's absolute success floor in the policy: \(ReportFormat.rate(floor)).")
        }
    }

    private func shadowAndBake(_ lines: inout [String]) {
        let shadow = ReportRenderer.shadowSummary(data)
        let bakes = ReportRenderer.bakeLines(data)
        guard shadow != nil || !bakes.isEmpty else { return }
        heading(&lines, "Shadow comparison and bake")
        if let shadow {
            lines.append(md(shadow.text))
            if !shadow.rows.isEmpty {
                lines.append("")
                table(&lines, ReportRenderer.shadowHeaders, shadow.rows.map { $0.map(md) }, numeric: [1])
            }
        }
        for bake in bakes {
            lines.append("")
            lines.append(md(bake))
        }
    }

    private func spend(_ lines: inout [String]) {
        heading(&lines, "Spend per path")
        guard let last = data.evaluations.last else {
            lines.append("No evaluation is stored for this rollout.")
            return
        }
        var line =
            "In the last scoring window, legacy spent \(ReportFormat.dollars(last.legacy.cost)) on "
            + "\(ReportFormat.count(last.legacy.requests)) requests "
            + "(\(ReportFormat.dollars(last.legacy.costPer1kRequests)) per 1k) and the relay "
            + "\(ReportFormat.dollars(last.relay.cost)) on \(ReportFormat.count(last.relay.requests)) requests "
            + "(\(ReportFormat.dollars(last.relay.costPer1kRequests)) per 1k)"
        if let comparison = ReportRenderer.costComparison(last) { line += ": \(comparison)" }
        lines.append(md(line + "."))
        lines.append("")
        lines.append(
            "Spend is what one scoring window held; windows overlap, so the figures of successive evaluations are "
                + "not to be added up. The steps table gives each step's last window.")
    }

    private func steps(_ lines: inout [String]) {
        heading(&lines, "Steps")
        let steps = data.steps
        guard !steps.isEmpty else {
            lines.append("No transition is stored for this rollout.")
            return
        }
        lines.append(
            "Each transition began a step; figures are those of the step's last scoring window (the one that ended it, if any)."
        )
        lines.append("")
        table(
            &lines,
            [
                "#", "began", "held", "phase", "percent", "evaluations", "healthy", "insufficient data", "unhealthy",
                "relay success", "legacy success", "relay p95", "legacy p95", "relay cost per 1k", "legacy cost per 1k",
            ],
            steps.map { step in
                let event = step.event.event
                let last = step.evaluations.last
                let verdicts = step.verdicts
                return [
                    "\(step.number)", ReportFormat.time(step.start),
                    step.end.map { ReportFormat.span(step.start.duration(to: $0)) } ?? "current", event.to.rawValue,
                    ReportFormat.percent(event.toPercent), "\(verdicts.total)", "\(verdicts.healthy)",
                    "\(verdicts.insufficientData)", "\(verdicts.unhealthy)", ReportFormat.rate(last?.relay.successRate),
                    ReportFormat.rate(last?.legacy.successRate), ReportFormat.latency(last?.relay.p95),
                    ReportFormat.latency(last?.legacy.p95), ReportFormat.dollars(last?.relay.costPer1kRequests),
                    ReportFormat.dollars(last?.legacy.costPer1kRequests),
                ]
            }, numeric: Set([0]).union(4...14))
    }

    private func transitions(_ lines: inout [String]) {
        guard transitionsSection(&lines, "Transitions") else { return }
        lines.append(
            "Every transition in the audit log (\(data.events.count)), oldest first, with its structured reason.")
        lines.append("")
        table(
            &lines, ["#", "time", "from", "to", "reason", "by", "message", "verdict and checks"],
            data.events.enumerated().map { offset, stored in
                let event = stored.event
                var verdict = "none (operator command)"
                if let reason = event.reason.verdict {
                    verdict = ([ReportRenderer.verdictLine(reason)] + reason.checks.map(ReportRenderer.checkLine))
                        .joined(separator: "; ")
                }
                return [
                    "\(offset + 1)", ReportFormat.preciseTime(event.time),
                    "\(event.from) \(ReportFormat.percent(event.fromPercent))",
                    "\(event.to) \(ReportFormat.percent(event.toPercent))",
                    EventCategory(event) == .rollback
                        ? "**\(event.reason.kind.rawValue)**" : event.reason.kind.rawValue,
                    event.reason.kind.isManual ? "operator" : "scorer", md(event.reason.message), md(verdict),
                ]
            }, numeric: [0])
    }

    private func evaluations(_ lines: inout [String]) {
        heading(&lines, "Evaluations")
        let verdicts = data.verdictCounts
        let first = data.evaluations.first.map { " from \(ReportFormat.time($0.time))" } ?? ""
        let last = data.evaluations.last.map { " to \(ReportFormat.time($0.time))" } ?? ""
        lines.append(
            "\(data.evaluations.count) evaluations stored\(first)\(last): \(verdicts.healthy) healthy, "
                + "\(verdicts.insufficientData) insufficient data, \(verdicts.unhealthy) unhealthy; "
                + "\(data.evaluations.filter(\.rollbackEngaged).count) with the rollback switch engaged.")
        guard !data.evaluations.isEmpty else { return }
        lines.append("")
        table(
            &lines, ["decision", "evaluations"],
            data.decisionCounts.map { [md($0.decision), ReportFormat.count($0.count)] }, numeric: [1])
    }

    // MARK: Pieces

    /// The heading of a section drawn from the transitions, and whether there are any; when
    /// there are none, the section says so and ends.
    private func transitionsSection(_ lines: inout [String], _ title: String) -> Bool {
        heading(&lines, title)
        guard data.events.isEmpty else { return true }
        lines.append("No transition is stored for this rollout.")
        return false
    }

    private func heading(_ lines: inout [String], _ title: String) {
        lines.append("")
        lines.append("## \(title)")
        lines.append("")
    }

    private func table(_ lines: inout [String], _ headers: [String], _ rows: [[String]], numeric: Set<Int> = []) {
        lines.append("| " + headers.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |")
        lines.append(
            "|" + headers.indices.map { numeric.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|")
        for row in rows {
            lines.append("| " + row.joined(separator: " | ") + " |")
        }
    }

    /// Text for a Markdown paragraph or table cell: one line, with the characters that would start
    /// markup (emphasis, code, links, HTML, table cells) backslash-escaped as CommonMark allows.
    func md(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "&": result += "\\\(character)"
            case "\n", "\r", "\t", "\r\n": result += " "
            default:
                // Other control characters have no business in a document: show that something was there.
                let isControl = character.unicodeScalars.contains { $0.properties.generalCategory == .control }
                result.append(isControl ? "\u{FFFD}" : character)
            }
        }
        return result
    }

    /// Inline code that cannot be closed early by a backtick inside it.
    private func code(_ text: String) -> String {
        let clean = text.replacing("\n", with: " ")
        guard clean.contains("`") else { return "`\(clean)`" }
        return "`` \(clean) ``"
    }

    private func pad(_ text: String, _ width: Int, left: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}
