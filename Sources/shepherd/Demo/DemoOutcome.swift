import Canary
import Foundation
import Shepherd

/// How the demo ended, and the summary it prints.
struct DemoOutcome {
    enum Stop: String {
        case finished, timeLimit, interrupted
    }

    var scenario: DemoScenario
    var speed: Double
    var clients: Int
    var elapsed: Duration
    var tally: DemoLoad.Tally
    var status: RolloutStatus
    var events: [StoredEvent]
    var startedAt: WallClock.Instant
    var troubleAt: Double?
    var stop: Stop

    /// The rollout ended where the scenario should, and no client saw a failure.
    var metExpectation: Bool {
        stop == .finished && status.state.phase == scenario.expectedPhase && tally.failed == 0
    }

    var summary: String {
        var lines: [String] = []
        let seconds = String(format: "%.1f", inSeconds(elapsed))
        lines.append("")
        lines.append("shepherd demo summary: \(scenario.rawValue), speed \(formatNumber(speed))×, \(seconds) s")
        lines.append(
            "  requests                 \(grouped(tally.requests)) from \(clients) clients (\(grouped(tally.streams)) streamed)"
        )
        lines.append("  client-visible failures  \(grouped(tally.failed))")
        lines.append("  failovers                \(grouped(tally.failovers)) relay failures answered by legacy")
        for path in [TrafficPath.legacy, .relay] {
            let count = tally.byPath[path] ?? 0
            let spend = tally.spendByPath[path] ?? 0
            let perThousand = count > 0 ? spend / Double(count) * 1000 : 0
            lines.append(
                "  \(path.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))                  \(grouped(count)) answers, spend $\(String(format: "%.2f", spend)) ($\(String(format: "%.3f", perThousand)) per 1k)"
            )
        }
        let state = status.state
        lines.append(
            "  final state              \(state.phase.rawValue) at \(formatPercent(state.percent)) (relay gets \(formatPercent(status.effectivePercent)))"
        )
        if let troubleAt { lines.append("  relay trouble began at   \(formatPercent(troubleAt))") }
        lines.append("  transitions:")
        for stored in events {
            let event = stored.event
            let offset = String(format: "%+6.1fs", event.time.unixSeconds - startedAt.unixSeconds)
            lines.append("    \(offset)  \(event.summary)")
        }
        for failure in tally.failureSamples { lines.append("  failure: \(failure)") }
        lines.append("  result: \(verdict)")
        return lines.joined(separator: "\n")
    }

    private var verdict: String {
        switch stop {
        case .interrupted: return "interrupted before the rollout finished"
        case .timeLimit:
            return
                "the rollout did not finish in time (\(status.state.phase.rawValue) at \(formatPercent(status.state.percent)))"
        case .finished: break
        }
        guard metExpectation else {
            if tally.failed > 0 { return "NOT as expected: clients saw \(tally.failed) failures" }
            return "NOT as expected: ended \(status.state.phase.rawValue), expected \(scenario.expectedPhase.rawValue)"
        }
        switch scenario {
        case .healthy: return "as expected: the relay was promoted to 100% and no client saw a failure"
        case .relayOutage, .brownout:
            return "as expected: the relay was rolled back automatically and no client saw a failure"
        }
    }

    private func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }

    private func formatNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
