import Canary
import Shepherd

extension HTMLReport {
    func shadowAndBake(_ m: inout Markup) {
        let shadow = ReportRenderer.shadowSummary(data)
        let bakes = ReportRenderer.bakeLines(data)
        guard shadow != nil || !bakes.isEmpty else { return }
        section(&m, id: "shadow-and-bake", title: "Shadow comparison and bake") { m in
            if let shadow {
                m.element("p", text: shadow.text)
                if !shadow.rows.isEmpty {
                    m.element("table") { m in
                        m.element("thead") { headerRow(&$0, ReportRenderer.shadowHeaders) }
                        m.element("tbody") { m in
                            for row in shadow.rows {
                                m.element("tr") { m in
                                    for (index, text) in row.enumerated() { cell(&m, text, numeric: index == 1) }
                                }
                            }
                        }
                    }
                }
            }
            for bake in bakes { m.element("p", text: bake) }
        }
    }

    func spend(_ m: inout Markup) {
        section(&m, id: "spend", title: "Spend per path") { m in
            figure(&m, charts.first { $0.id == "spend" }) { m in
                m.text(
                    "US dollars spent in each evaluation's scoring window, from the policy's price table. Windows "
                        + "overlap, so the points are not to be added up: each is what one window held.")
            }
            figure(&m, charts.first { $0.id == "cost-per-1k" }) { m in
                m.text(
                    "Spend in the window divided by the window's requests, times 1,000: comparable across percentages.")
            }
            if let last = data.evaluations.last {
                m.element("p") { m in
                    var line =
                        "In the last window, legacy spent \(ReportFormat.dollars(last.legacy.cost)) on "
                        + "\(ReportFormat.count(last.legacy.requests)) requests "
                        + "(\(ReportFormat.dollars(last.legacy.costPer1kRequests)) per 1k) and the relay "
                        + "\(ReportFormat.dollars(last.relay.cost)) on \(ReportFormat.count(last.relay.requests)) requests "
                        + "(\(ReportFormat.dollars(last.relay.costPer1kRequests)) per 1k)"
                    if let comparison = ReportRenderer.costComparison(last) { line += ": \(comparison)" }
                    m.text(line + ".")
                }
            }
        }
    }

    func steps(_ m: inout Markup) {
        let steps = data.steps
        section(&m, id: "steps", title: "Steps") { m in
            m.element(
                "p",
                text: "Each transition began a step; the evaluations up to the next transition belong to it, and the "
                    + "figures are those of the step's last scoring window (the one that ended it, if any).")
            guard !steps.isEmpty else {
                m.element("p", text: "No transition is stored for this rollout.")
                return
            }
            m.element("table", ["class": "steps"]) { m in
                m.element("thead") { m in
                    headerRow(
                        &m,
                        [
                            "#", "began", "held", "phase", "percent", "evaluations", "healthy", "insufficient data",
                            "unhealthy", "relay success", "legacy success", "relay p95", "legacy p95",
                            "relay cost per 1k",
                            "legacy cost per 1k",
                        ])
                }
                m.element("tbody") { m in
                    for step in steps {
                        let event = step.event.event
                        let last = step.evaluations.last
                        let verdicts = step.verdicts
                        m.element("tr", ["class": EventCategory(event).rawValue]) { m in
                            cell(&m, "\(step.number)", numeric: true)
                            cell(&m, ReportFormat.time(step.start), className: "time")
                            cell(&m, step.end.map { ReportFormat.span(step.start.duration(to: $0)) } ?? "current")
                            cell(&m, event.to.rawValue)
                            cell(&m, ReportFormat.percent(event.toPercent), numeric: true)
                            cell(&m, "\(verdicts.total)", numeric: true)
                            cell(&m, "\(verdicts.healthy)", numeric: true)
                            cell(&m, "\(verdicts.insufficientData)", numeric: true)
                            cell(&m, "\(verdicts.unhealthy)", numeric: true)
                            cell(&m, ReportFormat.rate(last?.relay.successRate), numeric: true)
                            cell(&m, ReportFormat.rate(last?.legacy.successRate), numeric: true)
                            cell(&m, ReportFormat.latency(last?.relay.p95), numeric: true)
                            cell(&m, ReportFormat.latency(last?.legacy.p95), numeric: true)
                            cell(&m, ReportFormat.dollars(last?.relay.costPer1kRequests), numeric: true)
                            cell(&m, ReportFormat.dollars(last?.legacy.costPer1kRequests), numeric: true)
                        }
                    }
                }
            }
        }
    }

    func transitions(_ m: inout Markup) {
        section(&m, id: "transitions", title: "Transitions") { m in
            m.element(
                "p",
                text:
                    "Every transition in the audit log (\(data.events.count)), oldest first, with its structured reason. "
                    + "For automatic transitions the scorer's checks are listed as they were judged.")
            guard !data.events.isEmpty else {
                m.element("p", text: "No transition is stored for this rollout.")
                return
            }
            m.element("table", ["class": "transitions"]) { m in
                m.element("thead") {
                    headerRow(&$0, ["#", "time", "from", "to", "reason", "by", "message", "verdict and checks"])
                }
                m.element("tbody") { m in
                    for (offset, stored) in data.events.enumerated() {
                        let event = stored.event
                        let category = EventCategory(event)
                        m.element(
                            "tr",
                            [
                                "id": "transition-\(offset + 1)", "class": "transition \(category.rawValue)",
                                "data-sequence": "\(stored.sequence)", "data-kind": event.reason.kind.rawValue,
                            ]
                        ) { m in
                            cell(&m, "\(offset + 1)", numeric: true)
                            cell(&m, ReportFormat.preciseTime(event.time), className: "time")
                            cell(&m, "\(event.from) \(ReportFormat.percent(event.fromPercent))")
                            cell(&m, "\(event.to) \(ReportFormat.percent(event.toPercent))")
                            cell(&m, event.reason.kind.rawValue, className: "kind")
                            cell(&m, event.reason.kind.isManual ? "operator" : "scorer")
                            cell(&m, event.reason.message, className: "message")
                            m.element("td", ["class": "verdict"]) { m in
                                guard let verdict = event.reason.verdict else {
                                    m.text("none (operator command)")
                                    return
                                }
                                m.element("p", text: ReportRenderer.verdictLine(verdict))
                                m.element("ul", ["class": "checks"]) { m in
                                    for check in verdict.checks {
                                        m.element(
                                            "li", ["class": "check \(check.outcome.rawValue)"],
                                            text: ReportRenderer.checkLine(check))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func evaluations(_ m: inout Markup) {
        section(&m, id: "evaluations", title: "Evaluations") { m in
            let verdicts = data.verdictCounts
            let first = data.evaluations.first.map { " from \(ReportFormat.time($0.time))" } ?? ""
            let last = data.evaluations.last.map { " to \(ReportFormat.time($0.time))" } ?? ""
            m.element(
                "p",
                text: "\(data.evaluations.count) evaluations stored\(first)\(last): \(verdicts.healthy) healthy, "
                    + "\(verdicts.insufficientData) insufficient data, \(verdicts.unhealthy) unhealthy; "
                    + "\(data.evaluations.filter(\.rollbackEngaged).count) with the rollback switch engaged. "
                    + "The store keeps the most recent evaluations of each rollout (its retention setting).")
            guard !data.evaluations.isEmpty else { return }
            m.element("table", ["class": "decisions"]) { m in
                m.element("thead") { headerRow(&$0, ["decision", "evaluations"]) }
                m.element("tbody") { m in
                    for (decision, count) in data.decisionCounts {
                        m.element("tr") { m in
                            cell(&m, decision)
                            cell(&m, ReportFormat.count(count), numeric: true)
                        }
                    }
                }
            }
        }
    }
}
