import Canary
import ShepherdConfig
import Testing

/// The relay's share of client errors against legacy's: invisible to the success rate, not to the verdict.
struct ClientErrorCheckTests {
    let clock = ManualClock()

    /// A snapshot with successes and client errors per path.
    func snapshot(legacy: (ok: Int, rejected: Int), relay: (ok: Int, rejected: Int)) -> HealthSnapshot {
        let window = HealthWindow(clock: clock)
        for (path, counts) in [(TrafficPath.legacy, legacy), (.relay, relay)] {
            for _ in 0..<counts.ok { window.record(CallOutcome(.success, latency: .milliseconds(800)), on: path) }
            for _ in 0..<counts.rejected {
                window.record(CallOutcome(.failure(.clientError), latency: .milliseconds(20)), on: path)
            }
        }
        return window.snapshot()
    }

    @Test func aRelayAnsweringEveryCallWith404IsUnhealthyThoughNoCallOfItIsJudged() throws {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (1000, 3), relay: (0, 120)))
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.score < 0.5)
        #expect(verdict.reason.code == .clientErrorsAboveBaseline)
        let comparison = try #require(verdict.reason.clientErrors)
        #expect(comparison.outcome == .fail)
        #expect(comparison.relayShare == 1 && comparison.relayAnswered == 120)
        #expect(try #require(comparison.bound) > 0.05)
        #expect(verdict.reason.summary.contains("clientErrorsAboveBaseline: client errors: relay 4xx 120 of 120"))
    }

    @Test func theSameShareOfClientErrorsOnBothPathsDoesNotCount() {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (950, 50), relay: (190, 10)))
        #expect(verdict.kind == .healthy)
        #expect(verdict.reason.clientErrors?.outcome == .pass)
        #expect(verdict.reason.samples.relaySuccessRate == 1, "client errors stay out of the success rate")
    }

    @Test func aFewMoreClientErrorsOverFewCallsHoldTheRampButDoNotFailIt() {
        // 9.1% against 2.0%: above the 5-point allowance, but 330 calls cannot show it with confidence.
        let verdict = HealthScorer().evaluate(snapshot(legacy: (1000, 20), relay: (300, 30)))
        #expect(verdict.kind == .insufficientData)
        #expect(verdict.reason.code == .inconclusive)
        #expect(verdict.reason.clientErrors?.outcome == .inconclusive)
        #expect(verdict.reason.summary.hasPrefix("inconclusive: client errors:"))
    }

    @Test func tooFewAnsweredCallsOnEitherSideIsNoEvidence() {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (1000, 0), relay: (0, 99)))
        #expect(verdict.kind == .insufficientData)
        #expect(verdict.reason.code == .insufficientData)
    }

    @Test func theCheckIsOffWithoutAnAllowance() throws {
        let policy = try RolloutPolicy.parse(yaml: "health:\n  clientErrorExcess: null\n", file: "p.yaml")
        #expect(policy.health.clientErrorExcess == nil)
        let verdict = HealthScorer(configuration: policy.health).evaluate(snapshot(legacy: (1000, 3), relay: (0, 120)))
        #expect(verdict.kind == .insufficientData)
        #expect(verdict.reason.clientErrors == nil)
    }

    @Test func theAllowanceIsReadFromThePolicyAndChecked() throws {
        let policy = try RolloutPolicy.parse(yaml: "health:\n  clientErrorExcess: 0.1\n", file: "p.yaml")
        #expect(policy.health.clientErrorExcess == 0.1)
        #expect(HealthScorer.Configuration().clientErrorExcess == 0.05)
        let error = #expect(throws: ConfigFileError.self) {
            try RolloutPolicy.parse(yaml: "health:\n  clientErrorExcess: 1.5\n", file: "p.yaml")
        }
        #expect(error?.description.contains("health.clientErrorExcess") == true)
    }
}
