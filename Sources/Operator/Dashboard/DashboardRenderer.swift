import Canary
import Shepherd

/// Draws one frame of the dashboard: a pure function from a model and a screen size to lines.
///
/// No I/O and no clock: every "held for" and "ago" is computed from the status's own `now`, so
/// the same model always gives the same frame (the snapshot tests rely on it). The frame has
/// exactly `height` lines, none wider than `width` columns; the message line and the key help
/// sit on the last two rows. When the screen is short, the events go first, then the trends.
///
/// ```
///  SHEPHERD │ checkout-to-relay │ http://127.0.0.1:8080 │ 14:05:09Z
///   ▲ RAMPING  11.25%  ████████░░░░░░░░░░░░░░░░  step 3/9 · held 1m20s
///   5 › 7.5 › [11.25] › 16.88 › 25.31 › 37.97 › 56.95 › 85.43 › 100
///   next 16.88%: relay calls 45/100 · held 1m20s/2m · check in 12s
/// ```
public enum DashboardRenderer {
    /// Renders `model` for a screen of `width` × `height`.
    ///
    /// - Returns: exactly `max(1, height)` lines; in ``DashboardStyle/color`` they carry ANSI
    ///   escape codes, which take no columns.
    public static func render(_ model: DashboardModel, width: Int, height: Int, style: DashboardStyle) -> [String] {
        let width = max(1, width)
        let height = max(1, height)
        let frame = Frame(width: width)
        var top: [StyledLine] = [frame.title(model)]
        var optional: [[StyledLine]] = []
        if let status = model.status {
            top += frame.banner(status)
            if let problem = model.connectionProblem {
                top.append(
                    StyledLine([
                        Span("  ! ", .yellow),
                        Span("\(problem); showing the status of \(TextFormat.clockTime(status.now))Z", .yellow),
                    ]))
            }
            top += frame.phase(status)
            top += frame.store(status)
            top.append(.blank)
            top += frame.health(status)
            top.append(.blank)
            top += frame.paths(status)
            optional = [
                frame.shadow(status), frame.fleet(status), frame.models(status),
                frame.trends(model.history, status: status), frame.events(model.events, status: status),
            ]
        } else {
            top.append(.blank)
            if let problem = model.connectionProblem {
                top.append(StyledLine([Span("  ! ", .red), Span(problem, .red)]))
            } else {
                top.append(StyledLine("  waiting for the first status from \(model.server)…", .dim))
            }
        }
        let bottom = [frame.message(model), frame.keys()]
        return compose(top: top, optional: optional, bottom: bottom, height: height)
            .map { $0.trimmingTrailingSpaces().render(width: width, style: style) }
    }

    /// Fits the sections in `height` rows: the top always (cut if it must be), then each optional
    /// section's heading and first row, then the rest of each in order; the bottom on the last rows.
    static func compose(
        top: [StyledLine], optional: [[StyledLine]], bottom: [StyledLine], height: Int
    ) -> [StyledLine] {
        let room = height - bottom.count
        guard room > 0 else { return Array((top + bottom).suffix(height)) }
        var lines = Array(top.prefix(room))
        var available = room - lines.count
        var granted = Array(repeating: 0, count: optional.count)
        for (index, section) in optional.enumerated() where section.count >= 2 && available >= 3 {
            granted[index] = 2
            available -= 3  // a blank line, the heading and one row
        }
        for (index, section) in optional.enumerated() where granted[index] > 0 {
            let more = min(section.count - granted[index], available)
            granted[index] += more
            available -= more
        }
        for (index, section) in optional.enumerated() where granted[index] > 0 {
            lines.append(.blank)
            lines += section.prefix(granted[index])
        }
        while lines.count < room { lines.append(.blank) }
        return lines + bottom
    }
}

/// The sections of a frame at one width.
struct Frame {
    let width: Int
    /// Columns of the row labels in the path table and the trends.
    let labelWidth = 14

    /// The width of each path's column in the table.
    var columnWidth: Int { min(44, max(8, (width - 2 - labelWidth) / 2)) }

    // MARK: Title and banner

    func title(_ model: DashboardModel) -> StyledLine {
        var parts = [" SHEPHERD"]
        if let status = model.status { parts.append(status.rolloutID) }
        parts.append(model.server)
        if let status = model.status { parts.append(TextFormat.clockTime(status.now) + "Z") }
        return StyledLine([Span(parts.joined(separator: " │ "))], fill: .title)
    }

    func banner(_ status: RolloutStatus) -> [StyledLine] {
        var lines: [StyledLine] = []
        if status.rollbackEngaged {
            lines.append(
                StyledLine(
                    [Span(" !! ROLLBACK SWITCH ENGAGED: all traffic on legacy, the ramp is frozen")], fill: .alarm))
            let sources = status.rollbackSources.sorted { $0.key < $1.key }
            if sources.isEmpty {
                lines.append(StyledLine([Span("    engaged (no source reported)")], fill: .alarm))
            }
            for (source, reason) in sources {
                lines.append(
                    StyledLine([Span("    engaged by \(source): \(TextFormat.oneLine(reason))")], fill: .alarm))
            }
        }
        if let problem = status.rollbackError {
            lines.append(StyledLine([Span("  ! ", .red), Span(TextFormat.oneLine(problem), .red)]))
        }
        // A path that cannot work as configured (TLS, DNS, credentials): the operator's to fix.
        for (_, cause) in (status.problems ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append(StyledLine([Span("  ! ", .red), Span(TextFormat.oneLine(cause), .red)]))
        }
        return lines
    }

    // MARK: Phase and ladder

    static func bakeText(_ bake: BakeProgress) -> String { DashboardText.bake(bake) }

    static func phaseLabel(_ phase: RampPhase) -> (icon: String, name: String, tone: Tone) {
        switch phase {
        case .idle: ("○", "IDLE", .dim)
        case .shadowing: ("◐", "SHADOWING", .cyan)
        case .ramping: ("▲", "RAMPING", .cyan)
        case .baking: ("◆", "BAKING", .cyan)
        case .paused: ("‖", "PAUSED", .yellow)
        case .promoted: ("★", "PROMOTED", .green)
        case .rolledBack: ("↺", "ROLLED BACK", .red)
        }
    }

    func phase(_ status: RolloutStatus) -> [StyledLine] {
        let state = status.state
        let (icon, name, tone) = Self.phaseLabel(state.phase)
        var first: [Span] = [Span("  "), Span("\(icon) \(name)", tone), Span("  ")]
        first.append(Span(formatPercent(status.effectivePercent), .bold))
        if status.rollbackEngaged, status.effectivePercent != state.percent, state.phase != .rolledBack {
            first.append(Span(" (stored \(formatPercent(state.percent)))", .red))
        }
        let ladder = status.ladder
        let fraction: Double =
            switch state.phase {
            case .promoted: 1
            case .idle, .shadowing, .rolledBack: 0
            case .ramping, .paused, .baking: Double(min(state.step + 1, ladder.count)) / Double(max(1, ladder.count))
            }
        var tail = ""
        if state.phase != .idle, state.phase != .rolledBack, state.phase != .shadowing {
            tail = "  step \(TextFormat.step(state, ladder: ladder))"
            if let held = heldSeconds(status) { tail += " · held \(TextFormat.seconds(held))" }
        }
        let used = TerminalWidth.columns(first.map(\.text).joined()) + 2 + TerminalWidth.columns(tail)
        let barWidth = min(30, width - used - 1)
        if barWidth >= 8 {
            let filled = Int((fraction * Double(barWidth)).rounded())
            first.append(Span("  "))
            first.append(Span(String(repeating: "█", count: filled), tone))
            first.append(Span(String(repeating: "░", count: barWidth - filled), .dim))
        }
        first.append(Span(tail))
        return [StyledLine(first), ladderLine(status), nextLine(status)]
    }

    /// How long the current step has held, from the status's own clock.
    func heldSeconds(_ status: RolloutStatus) -> Double? {
        if let next = status.nextStep { return next.heldSeconds }
        guard status.state.phase == .ramping || status.state.phase == .paused || status.state.phase == .promoted,
            let started = status.state.stepStartedAt
        else { return nil }
        return max(0, status.now.unixSeconds - started.unixSeconds)
    }

    /// `5 › 7.5 › [11.25] › 16.88 › …`, the current step marked; a short form when it does not fit.
    func ladderLine(_ status: RolloutStatus) -> StyledLine {
        let state = status.state
        let ladder = status.ladder
        let current: Int? =
            (state.phase == .ramping || state.phase == .paused)
            ? state.step : (state.phase == .promoted ? ladder.count - 1 : nil)
        var spans: [Span] = [Span("  ")]
        for (index, step) in ladder.enumerated() {
            if index > 0 { spans.append(Span(" › ", .dim)) }
            let text = formatPercent(step).replacing("%", with: "")
            if index == current {
                spans.append(Span("[\(text)]", .bold))
            } else {
                spans.append(Span(text, current.map { index < $0 } == true ? nil : .dim))
            }
        }
        let line = StyledLine(spans)
        if TerminalWidth.columns(line.plain) <= width { return line }
        let stepText = TextFormat.step(state, ladder: ladder)
        let nextText =
            current.flatMap { $0 + 1 < ladder.count ? " → next \(formatPercent(ladder[$0 + 1]))" : nil } ?? ""
        return StyledLine(
            "  ladder ×\(ladderFactor(ladder)): step \(stepText)\(nextText) → max \(ladder.last.map(formatPercent) ?? "–")"
        )
    }

    private func ladderFactor(_ ladder: [Double]) -> String {
        guard ladder.count > 2, ladder[0] > 0 else { return "–" }
        return TextFormat.fixed(ladder[1] / ladder[0], 2)
    }

    /// What the step still needs, or what the operator can do.
    func nextLine(_ status: RolloutStatus) -> StyledLine {
        let first = status.ladder.first.map(formatPercent) ?? "the first step"
        if status.rollbackEngaged {
            return StyledLine([Span("  frozen: ", .red), Span("the rollback switch holds all traffic on legacy")])
        }
        switch status.state.phase {
        case .idle: return StyledLine([Span("  not started: ", .dim), Span("press + to start at \(first)")])
        case .paused: return StyledLine([Span("  paused: ", .yellow), Span("press r to resume the ramp")])
        case .rolledBack: return StyledLine([Span("  rolled back: ", .red), Span("press r to restart at \(first)")])
        case .promoted: return StyledLine([Span("  promoted: ", .green), Span("all traffic on the relay")])
        case .shadowing:
            return StyledLine([
                Span("  shadowing: ", .cyan),
                Span(status.shadow?.summary ?? "comparing the relay's answers with legacy's"),
            ])
        case .baking:
            return StyledLine([
                Span("  baking: ", .cyan), Span(status.bake.map(Self.bakeText) ?? "holding back on legacy"),
            ])
        case .ramping:
            guard let next = status.nextStep else { return StyledLine("  at the last step", .dim) }
            let samplesLeft = max(0, next.samplesNeeded - next.relaySamplesInStep)
            let holdLeft = max(0, next.minHoldSeconds - next.heldSeconds)
            let counts = "(\(TextFormat.count(next.relaySamplesInStep))/\(TextFormat.count(next.samplesNeeded)))"
            let held = "(\(TextFormat.seconds(next.heldSeconds))/\(TextFormat.seconds(next.minHoldSeconds)))"
            var spans: [Span] = [Span("  next \(formatPercent(next.nextPercent)): ", .bold)]
            spans.append(
                samplesLeft == 0
                    ? Span("relay calls done \(counts)", .green)
                    : Span("\(TextFormat.count(samplesLeft)) more relay calls \(counts)", .yellow))
            spans.append(Span(" · "))
            spans.append(
                holdLeft == 0
                    ? Span("hold done \(held)", .green)
                    : Span("hold \(TextFormat.seconds(holdLeft)) more \(held)", .yellow))
            var optional: [Span] = []
            if samplesLeft == 0, holdLeft == 0, status.verdict.kind != .healthy {
                optional.append(Span(" · waiting for a healthy verdict", .yellow))
            }
            if let seconds = next.nextEvaluationInSeconds {
                optional.append(Span(" · check in \(TextFormat.seconds(seconds))", .dim))
            }
            // The conditions always show; the extras only when they fit.
            var used = TerminalWidth.columns(spans.map(\.text).joined())
            for span in optional where used + TerminalWidth.columns(span.text) <= width {
                spans.append(span)
                used += TerminalWidth.columns(span.text)
            }
            return StyledLine(spans)
        }
    }

    // MARK: Health

    static func verdictLabel(_ kind: HealthVerdict.Kind) -> (String, Tone) {
        switch kind {
        case .healthy: ("● healthy", .green)
        case .unhealthy: ("● UNHEALTHY", .red)
        case .insufficientData: ("◌ insufficient data", .yellow)
        }
    }

    func health(_ status: RolloutStatus) -> [StyledLine] {
        let verdict = status.verdict
        let (label, tone) = Self.verdictLabel(verdict.kind)
        var lines = [
            StyledLine([
                Span("  HEALTH  ", .bold), Span(label, tone), Span("  score \(TextFormat.fixed(verdict.score, 2))"),
                Span("  at \(TextFormat.fixed(verdict.reason.confidence * 100, 0))% confidence", .dim),
            ])
        ]
        for (index, part) in Self.wrap(TextFormat.oneLine(verdict.reason.summary), width: width - 4, lines: 2)
            .enumerated()
        {
            lines.append(StyledLine((index == 0 ? "  " : "    ") + part))
        }
        var checks: [Span] = [Span("  checks ", .dim)]
        for (index, check) in verdict.reason.checks.enumerated() {
            if index > 0 { checks.append(Span(" · ", .dim)) }
            let (text, tone): (String, Tone) =
                switch check.outcome {
                case .pass: ("ok", .green)
                case .fail: ("FAIL", .red)
                case .inconclusive: ("?", .yellow)
                }
            checks.append(Span(Self.checkName(check.check) + " "))
            checks.append(Span(text, tone))
        }
        lines.append(StyledLine(checks))
        return lines
    }

    /// `text` in at most `lines` lines of `width` columns, broken at spaces; the last line is cut with `…`.
    static func wrap(_ text: String, width: Int, lines: Int) -> [String] {
        guard width > 8 else { return [TerminalWidth.truncate(text, max(1, width))] }
        var out: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty, out.count < lines - 1, TerminalWidth.columns(String(rest)) > width {
            let head = TerminalWidth.prefix(String(rest), columns: width)
            let cut = head.lastIndex(of: " ").map { head.distance(from: head.startIndex, to: $0) } ?? head.count
            let take = cut > width / 2 ? cut : head.count
            out.append(String(rest.prefix(take)))
            rest = rest.dropFirst(take).drop { $0 == " " }
        }
        if !rest.isEmpty { out.append(TerminalWidth.truncate(String(rest), width)) }
        return out
    }

    static func checkName(_ check: CheckResult.Check) -> String {
        switch check {
        case .sampleSize: "samples"
        case .successVsBaseline: "success vs legacy"
        case .successByModel: "per model"
        case .absoluteFloor: "floor"
        case .latencyVsBaseline: "p95 vs legacy"
        case .latencyCeiling: "p95 max"
        }
    }

}

extension StyledLine {
    /// The line without trailing spaces (padding of the last column is not drawn).
    func trimmingTrailingSpaces() -> StyledLine {
        var copy = self
        while let last = copy.spans.last {
            let trimmed = String(last.text.reversed().drop { $0 == " " }.reversed())
            if trimmed.isEmpty {
                copy.spans.removeLast()
                continue
            }
            copy.spans[copy.spans.count - 1].text = trimmed
            break
        }
        return copy
    }
}
