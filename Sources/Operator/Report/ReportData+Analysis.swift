import Canary
import Shepherd

/// A stretch of the rollout that one transition began and the next one ended.
struct ReportStep: Sendable, Hashable {
    /// The transition's number in the report (1 = the oldest shown).
    var number: Int
    /// The transition that began the step.
    var event: StoredEvent
    /// When the next transition ended it; `nil` for the step the rollout is in.
    var end: WallClock.Instant?
    /// The evaluations after the step began, up to and including the one that ended it
    /// (an evaluation that causes a transition is stored with the transition's time and
    /// judged the window of the step it ended).
    var evaluations: [EvaluationRecord]

    var start: WallClock.Instant { event.event.time }
    var verdicts: VerdictCounts { VerdictCounts(evaluations) }
}

/// How many evaluations gave each verdict.
struct VerdictCounts: Sendable, Hashable {
    var healthy = 0
    var insufficientData = 0
    var unhealthy = 0

    init(_ evaluations: [EvaluationRecord]) {
        for evaluation in evaluations {
            switch evaluation.verdict.kind {
            case .healthy: healthy += 1
            case .insufficientData: insufficientData += 1
            case .unhealthy: unhealthy += 1
            }
        }
    }

    var total: Int { healthy + insufficientData + unhealthy }
}

/// How a transition is drawn and named: forward, held back, or rolled back.
enum EventCategory: String, Sendable, Hashable, CaseIterable {
    /// Started, advanced, promoted, resumed, or set higher.
    case advance
    /// Paused, stepped back, or set lower.
    case setback
    /// Everything back on legacy.
    case rollback

    init(_ event: RampEvent<WallClock.Instant>) {
        if event.to == .rolledBack {
            self = .rollback
        } else if event.to == .paused || event.reason.kind == .steppedBack || event.toPercent < event.fromPercent {
            self = .setback
        } else {
            self = .advance
        }
    }

    var color: String {
        switch self {
        case .advance: "#2e7d32"
        case .setback: "#e07b00"
        case .rollback: "#c62828"
        }
    }

    var label: String {
        switch self {
        case .advance: "start, step up, promote, resume"
        case .setback: "pause, step back, set lower"
        case .rollback: "rollback"
        }
    }
}

/// The worst scoring window one path had over the stored evaluations.
struct PathExtremes: Sendable {
    var lowestSuccess: (time: WallClock.Instant, value: Double)?
    var highestP95: (time: WallClock.Instant, value: Double)?
    var highestCostPer1k: (time: WallClock.Instant, value: Double)?
    var largestWindow: (time: WallClock.Instant, value: Int)?
}

extension TrafficPath {
    var displayName: String { self == .legacy ? "legacy" : "relay" }

    /// Legacy in slate grey, the relay in blue: apart from the events' green, orange and red.
    var color: String { self == .legacy ? "#5f6b76" : "#1f6fd1" }
}

extension PathSummary {
    /// Spend per thousand requests in the window, or `nil` without requests.
    var costPer1kRequests: Double? { requests == 0 ? nil : cost / Double(requests) * 1000 }

    /// Successes plus the failures that count against the path.
    var judged: Int { successes + failures.againstPath }
}

extension EvaluationRecord {
    func summary(of path: TrafficPath) -> PathSummary { path == .legacy ? legacy : relay }
}

extension ReportData {
    /// The first and last recorded times (transitions and evaluations), or `nil` without either.
    var timeRange: (start: WallClock.Instant, end: WallClock.Instant)? {
        let times = [
            events.first?.event.time, events.last?.event.time, evaluations.first?.time, evaluations.last?.time,
        ]
        .compactMap { $0 }
        guard let start = times.min(), let end = times.max() else { return nil }
        return (start, end)
    }

    /// The stretches between transitions, oldest first.
    var steps: [ReportStep] {
        var steps: [ReportStep] = []
        var remaining = evaluations[...]
        for (offset, stored) in events.enumerated() {
            let start = stored.event.time
            let end = offset + 1 < events.count ? events[offset + 1].event.time : nil
            // Evaluations at or before the first transition belong to no step.
            while let first = remaining.first, offset == 0 ? first.time < start : first.time <= start {
                remaining.removeFirst()
            }
            var inStep: [EvaluationRecord] = []
            while let first = remaining.first, end.map({ first.time <= $0 }) ?? true {
                inStep.append(first)
                remaining.removeFirst()
            }
            steps.append(ReportStep(number: offset + 1, event: stored, end: end, evaluations: inStep))
        }
        return steps
    }

    /// The transitions that sent everything back to legacy.
    var rollbacks: [StoredEvent] { events.filter { $0.event.to == .rolledBack } }

    /// The highest canary percentage any transition set.
    var highestPercent: Double {
        events.map(\.event.toPercent).max() ?? state?.percent ?? 0
    }

    /// The state's last known time: its last transition or evaluation.
    var lastUpdate: WallClock.Instant? { timeRange?.end }

    /// Verdicts over every stored evaluation.
    var verdictCounts: VerdictCounts { VerdictCounts(evaluations) }

    /// How often each decision (`transition`, `hold:insufficientData`, …) was taken, most frequent first.
    var decisionCounts: [(decision: String, count: Int)] {
        var counts: [String: Int] = [:]
        for evaluation in evaluations { counts[evaluation.decision, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.decision < $1.decision
        }
    }

    /// The relay's absolute success floor, as the scorer's last check of it reported.
    var absoluteFloor: Double? {
        for evaluation in evaluations.reversed() {
            if let check = evaluation.verdict.reason.checks.first(where: { $0.check == .absoluteFloor }) {
                return check.threshold
            }
        }
        return nil
    }

    /// Stretches of consecutive evaluations that saw the rollback switch engaged, as
    /// (first engaged evaluation, first released evaluation after it or the last one).
    var rollbackSwitchSpans: [(start: WallClock.Instant, end: WallClock.Instant)] {
        var spans: [(WallClock.Instant, WallClock.Instant)] = []
        var open: WallClock.Instant?
        for evaluation in evaluations {
            if evaluation.rollbackEngaged {
                if open == nil { open = evaluation.time }
            } else if let start = open {
                spans.append((start, evaluation.time))
                open = nil
            }
        }
        if let start = open, let last = evaluations.last { spans.append((start, last.time)) }
        return spans
    }

    /// The worst windows of one path.
    func extremes(of path: TrafficPath) -> PathExtremes {
        var result = PathExtremes()
        for evaluation in evaluations {
            let summary = evaluation.summary(of: path)
            if let rate = summary.successRate, rate < (result.lowestSuccess?.value ?? .infinity) {
                result.lowestSuccess = (evaluation.time, rate)
            }
            if let p95 = summary.p95, p95 > (result.highestP95?.value ?? -.infinity) {
                result.highestP95 = (evaluation.time, p95)
            }
            if let cost = summary.costPer1kRequests, cost > (result.highestCostPer1k?.value ?? -.infinity) {
                result.highestCostPer1k = (evaluation.time, cost)
            }
            if summary.requests > (result.largestWindow?.value ?? -1) {
                result.largestWindow = (evaluation.time, summary.requests)
            }
        }
        return result
    }

    /// The usual time between evaluations (the median), or `nil` with fewer than two.
    var typicalEvaluationInterval: Double? {
        guard evaluations.count >= 2 else { return nil }
        var gaps: [Double] = []
        gaps.reserveCapacity(evaluations.count - 1)
        for index in 1..<evaluations.count {
            gaps.append(evaluations[index].time.unixSeconds - evaluations[index - 1].time.unixSeconds)
        }
        gaps.sort()
        return gaps[gaps.count / 2]
    }
}
