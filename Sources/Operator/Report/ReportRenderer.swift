import Canary
import Shepherd

/// Turns ``ReportData`` into a self-contained document: polyglot XHTML with inline SVG
/// charts, or Markdown with the same facts in tables.
///
/// Pure functions: no I/O and no clock (the generation time is ``ReportData/generatedAt``),
/// so the same data always gives the same bytes. The HTML is well-formed XML
/// (`<html xmlns="http://www.w3.org/1999/xhtml">`, every element closed, every text escaped)
/// and refers to nothing outside itself: no script, no stylesheet, font or image to fetch, no
/// link out; the only URIs in it are the XHTML and SVG namespace names.
///
/// What the report shows:
/// - the canary percentage over time, every transition marked and numbered;
/// - per path, over each evaluation's scoring window: success rate, latency p50 and p95,
///   spend and cost per 1,000 requests (windows overlap, so these are never summed);
/// - the figures of the last window and the worst window of each path;
/// - each step of the ramp with its verdicts and the window that ended it;
/// - every transition with its structured reason (kind, message, the scorer's checks);
/// - the final state.
///
/// ```swift
/// let html = ReportRenderer.html(data)        // write to report.html
/// let markdown = ReportRenderer.markdown(data)
/// ```
public enum ReportRenderer {
    /// The report as a polyglot XHTML document (UTF-8 text).
    public static func html(_ data: ReportData) -> String {
        HTMLReport(data: data).render()
    }

    /// The report as GitHub-flavoured Markdown.
    public static func markdown(_ data: ReportData) -> String {
        MarkdownReport(data: data).render()
    }

    // MARK: Shared content

    /// The charts, in the order the HTML report shows them.
    static func charts(_ data: ReportData) -> [TimeChart] {
        guard let range = data.timeRange else { return [] }
        var start = range.start.unixSeconds
        var end = range.end.unixSeconds
        if end - start < 60 {
            start -= 30
            end += 30
        }
        let xRange = start...end
        let markers = data.events.enumerated().map { offset, stored in
            TimeChart.Marker(
                x: stored.event.time.unixSeconds, number: offset + 1, sequence: stored.sequence,
                category: EventCategory(stored.event), title: eventTitle(number: offset + 1, stored))
        }
        let bands = data.rollbackSwitchSpans.map { span in
            TimeChart.Band(
                from: span.start.unixSeconds, to: span.end.unixSeconds,
                title: "rollback switch engaged from \(ReportFormat.time(span.start)): every request on legacy")
        }
        let maxGap = data.typicalEvaluationInterval.map { max(3 * $0, 1) }
        let times = data.evaluations.map(\.time.unixSeconds)
        func series(_ path: TrafficPath, _ name: String, dashed: Bool = false, _ value: (PathSummary) -> Double?)
            -> TimeChart.Series
        {
            TimeChart.Series(
                name: name, color: path.color,
                points: zip(times, data.evaluations).map { ($0, value($1.summary(of: path))) }, dashed: dashed)
        }

        var percent = TimeChart(
            id: "percent", title: "Canary percent of \(data.rolloutID), transitions marked",
            yLabel: "% of requests to the relay", xRange: xRange, y: .fixed(0, 100),
            format: { ReportFormat.fixed($0, 0) + "%" })
        percent.series = [
            TimeChart.Series(
                name: "stored canary percent", color: "#6a3d9a", points: percentSteps(data, end: end), stepped: true)
        ]
        percent.markers = markers
        percent.bands = bands
        percent.emptyMessage = "no transition stored"

        var success = TimeChart(
            id: "success", title: "Success rate per path in the scoring window", yLabel: "success rate",
            xRange: xRange, y: .fromData(ceiling: 1), format: { ReportFormat.fixed($0 * 100, 1) + "%" })
        success.series = TrafficPath.allCases.map { path in series(path, path.displayName) { $0.successRate } }
        if let floor = data.absoluteFloor {
            success.references = [.init(y: floor, label: "relay floor \(ReportFormat.rate(floor))")]
        }

        var latency = TimeChart(
            id: "latency", title: "Latency of successful calls per path in the scoring window (p50 and p95)",
            yLabel: "latency", xRange: xRange, y: .fromZero, format: latencyTick)
        latency.series = TrafficPath.allCases.flatMap { path in
            [
                series(path, "\(path.displayName) p95") { $0.p95 },
                series(path, "\(path.displayName) p50", dashed: true) { $0.p50 },
            ]
        }

        var spend = TimeChart(
            id: "spend", title: "Spend per path in the scoring window", yLabel: "US$ in the window",
            xRange: xRange, y: .fromZero, format: dollarTick)
        spend.series = TrafficPath.allCases.map { path in series(path, path.displayName) { $0.cost } }

        var costPer1k = TimeChart(
            id: "cost-per-1k", title: "Cost per 1k requests per path in the scoring window",
            yLabel: "US$ per 1k requests", xRange: xRange, y: .fromZero, format: dollarTick)
        costPer1k.series = TrafficPath.allCases.map { path in series(path, path.displayName) { $0.costPer1kRequests } }

        var charts = [percent, success, latency, spend, costPer1k]
        for index in charts.indices {
            charts[index].markers = markers
            charts[index].maxGap = maxGap
            if index > 0 { charts[index].emptyMessage = "no evaluation stored" }
        }
        return charts
    }

    /// The stored percentage as a staircase: from the first transition's starting point to the end of the range.
    private static func percentSteps(_ data: ReportData, end: Double) -> [(x: Double, y: Double?)] {
        var points: [(x: Double, y: Double?)] = []
        if let first = data.events.first {
            points.append((first.event.time.unixSeconds, first.event.fromPercent))
            for stored in data.events { points.append((stored.event.time.unixSeconds, stored.event.toPercent)) }
        } else {
            points = data.evaluations.map { ($0.time.unixSeconds, $0.percent) }
        }
        if let last = points.last, last.x < end { points.append((end, last.y)) }
        return points
    }

    /// A transition's one-line name: `#3 2027-01-15 08:02:30Z: ramping 5% → ramping 7.5% (stepAdvanced)`.
    static func eventTitle(number: Int, _ stored: StoredEvent) -> String {
        let event = stored.event
        return
            "#\(number) \(ReportFormat.time(event.time)): \(event.from) \(ReportFormat.percent(event.fromPercent)) → "
            + "\(event.to) \(ReportFormat.percent(event.toPercent)) (\(event.reason.kind.rawValue))"
    }

    private static func latencyTick(_ seconds: Double) -> String {
        seconds == 0
            ? "0" : seconds < 2 ? ReportFormat.fixed(seconds * 1000, 0) + " ms" : ReportFormat.fixed(seconds, 1) + " s"
    }

    private static func dollarTick(_ value: Double) -> String {
        value == 0 ? "$0" : ReportFormat.dollars(value)
    }

    /// `phase at percent`, with what the split uses when it differs from the stored percentage.
    static func stateLine(_ state: RampState<WallClock.Instant>) -> String {
        var line = "\(state.phase) at \(ReportFormat.percent(state.percent))"
        if state.effectivePercent != state.percent {
            line += " (the split sends \(ReportFormat.percent(state.effectivePercent)) to the relay)"
        }
        return line
    }

    /// The scorer's verdict in one line: `unhealthy (successRateBelowBaseline), relay 81.2% of 240 vs legacy 99.1% of 1200 at 95% confidence`.
    static func verdictLine(_ reason: HealthReason) -> String {
        let samples = reason.samples
        return
            "\(reason.code.rawValue): relay \(ReportFormat.rate(samples.relaySuccessRate)) of \(samples.relay) judged, "
            + "legacy \(ReportFormat.rate(samples.legacySuccessRate)) of \(samples.legacy) judged, "
            + "confidence \(ReportFormat.fixed(reason.confidence * 100, 0))%"
    }

    /// One check in one line: `fail successVsBaseline: relay 81.2% vs legacy 99.1%; …`.
    static func checkLine(_ check: CheckResult) -> String {
        "\(check.outcome.rawValue) \(check.check.rawValue): \(check.detail)"
    }

    /// The failures by class in a window: `serverError 12, timeout 3`, or `none`.
    static func failuresLine(_ summary: PathSummary) -> String {
        let parts = summary.failures.nonZero.map { "\($0.0.rawValue) \($0.1)" }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// How the relay's cost per 1k requests compares with legacy's in one window.
    static func costComparison(_ evaluation: EvaluationRecord) -> String? {
        guard let relay = evaluation.relay.costPer1kRequests, let legacy = evaluation.legacy.costPer1kRequests,
            legacy > 0
        else { return nil }
        let change = (relay - legacy) / legacy
        let size = ReportFormat.fixed(abs(change) * 100, 1)
        if abs(change) < 0.0005 { return "the relay cost the same per 1k requests as legacy" }
        return "the relay cost \(size)% \(change < 0 ? "less" : "more") per 1k requests than legacy"
    }

    /// The columns of the per-model table.
    static let modelHeaders = [
        "model", "legacy judged", "legacy success", "relay judged", "relay success",
        "relay − legacy (model's own check)",
    ]

    /// What the per-model table means.
    static let modelNote =
        "Each model's success rate on both paths in the same window, heaviest model first (the top N of the policy's "
        + "health.perModel, the rest as other). The verdict compares each model with itself across the paths, so a "
        + "change of model mix is not a change of health; a model shown worse on the relay than the tolerance allows "
        + "fails the verdict by name."

    /// The per-model table's rows, as text.
    static func modelRows(_ models: [ModelCheck]) -> [[String]] {
        models.map { row in
            let comparison: String =
                switch row.outcome {
                case .pass: "ok (at least \(ModelRowText.points(row.lower ?? 0)))"
                case .fail: "FAIL (at most \(ModelRowText.points(row.upper ?? 0)))"
                case .inconclusive:
                    "inconclusive [\(ModelRowText.points(row.lower ?? 0)), \(ModelRowText.points(row.upper ?? 0))]"
                case nil: row.note ?? "not judged"
                }
            return [
                row.model, ReportFormat.count(row.legacy.judged), ReportFormat.rate(row.legacy.successRate),
                ReportFormat.count(row.relay.judged), ReportFormat.rate(row.relay.successRate), comparison,
            ]
        }
    }

    /// The shadow comparison of the latest evaluation that judged one: a sentence and the failing
    /// comparisons as rows (`check`, pairs that failed it, an example's request id).
    static func shadowSummary(_ data: ReportData) -> (text: String, rows: [[String]])? {
        guard let record = data.evaluations.last(where: { $0.shadow != nil }), let shadow = record.shadow else {
            return nil
        }
        let share = shadow.pairs == 0 ? 0 : Double(shadow.agreeing) / Double(shadow.pairs)
        let text =
            "At \(ReportFormat.time(record.time)): \(ReportFormat.count(shadow.pairs)) pairs compared, "
            + "\(ReportFormat.count(shadow.agreeing)) agree (\(ReportFormat.fixed(share, 3)), interval "
            + "[\(ReportFormat.fixed(shadow.agreementLower, 3)), \(ReportFormat.fixed(shadow.agreementUpper, 3))]); "
            + "\(shadow.passed ? "passed" : "holding"): \(shadow.summary). Shadow spend over the last hour "
            + "\(ReportFormat.dollars(shadow.spendLastHour))\(shadow.pausedForSpend ? ", paused by the spend cap" : "")."
        let rows = shadow.worst.map {
            [$0.check.rawValue, ReportFormat.count($0.count), $0.exampleRequestID ?? "none kept"]
        }
        return (text, rows)
    }

    /// The columns of the shadow comparison's table.
    static let shadowHeaders = ["comparison that failed", "pairs", "example request id"]

    /// Each bake: when it began and how it ended (promoted, rolled back, paused, or still baking).
    static func bakeLines(_ data: ReportData) -> [String] {
        let events = data.events.map(\.event)
        return events.enumerated().compactMap { index, event in
            guard event.reason.kind == .bakeStarted else { return nil }
            let end = events[(index + 1)...].first
            let outcome =
                end.map {
                    "ended \(ReportFormat.time($0.time)): \($0.to.rawValue) (\($0.reason.kind.rawValue)): \($0.reason.message)"
                }
                ?? "still baking"
            return
                "Bake from \(ReportFormat.time(event.time)) at \(formatPercent(event.toPercent)): \(event.reason.message); \(outcome)."
        }
    }

    /// The notes every report ends with.
    static let windowNote =
        "Each evaluation summarises both paths over the scoring window that ended at it. Windows overlap "
        + "from one evaluation to the next, so window figures (requests, spend) are never added up here: charts show "
        + "each window as it was seen, and tables pick single windows."
}
