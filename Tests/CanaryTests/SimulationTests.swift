import Canary
import ShepherdTesting
import Testing

struct SimulationTests {
    @Test func defaultPolicyPromotesHealthyRelayThroughTheWholeLadder() throws {
        let policy = try Repository.policy("default")
        let report = Simulation(policy: policy, scenario: try Repository.scenario("healthy"), seed: 1).run()
        #expect(report.finalPhase == .promoted)
        #expect(report.finalPercent == 100)
        #expect(report.percentPath == [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 85.4296875, 100])
        #expect(report.transitions.dropFirst().allSatisfy { $0.verdict == .healthy })
        #expect(report.rolledBackAt == nil)
    }

    @Test func defaultPolicyRollsBackWithinOneEvaluationOfRelayOutage() throws {
        let policy = try Repository.policy("default")
        let scenario = try Repository.scenario("relay-outage")
        let outageStart = inSeconds(try #require(scenario.events.first).at)
        let report = Simulation(policy: policy, scenario: scenario, seed: 1).run()
        let rolledBackAt = try #require(report.rolledBackAt)
        #expect(rolledBackAt > outageStart)
        #expect(rolledBackAt - outageStart <= inSeconds(policy.ramp.evaluationInterval))
        #expect(report.finalPhase == .rolledBack)
        #expect(report.finalPercent == 0)
        // Fallback to legacy hides the outage from clients: only calls that failed on legacy too are visible.
        #expect(report.fallbacks > 0)
        #expect(Double(report.clientVisibleFailures) < Double(report.legacy.requests) * 0.01)
    }

    @Test func lowTrafficHoldsAtTheFirstStepAndSaysWhy() throws {
        let policy = try Repository.policy("default")
        let report = Simulation(policy: policy, scenario: try Repository.scenario("low-traffic"), seed: 1).run()
        #expect(report.finalPhase == .ramping)
        #expect(report.finalPercent == 5)
        #expect(report.transitions.count == 1)
        let holds = report.entries.filter { $0.kind == .hold }
        #expect(holds.count == Int(3600 / inSeconds(policy.ramp.evaluationInterval)))
        #expect(holds.allSatisfy { $0.verdict == .insufficientData && $0.hold == "insufficientData" })
        #expect(holds.allSatisfy { $0.message.contains("sampleSize") })
    }

    /// The guarded policy's shadow phase holds a relay whose answers differ from legacy's: no user
    /// gets a relay answer, and every hold says the text differs.
    @Test func aRelayThatDisagreesIsHeldInTheShadowPhase() throws {
        let report = Simulation(
            policy: try Repository.policy("guarded"), scenario: try Repository.scenario("relay-disagrees"), seed: 1
        ).run()
        #expect(report.finalPhase == .shadowing && report.finalPercent == 0)
        #expect(report.relay.requests == 0, "no client call went to the relay")
        let holds = report.entries.filter { $0.kind == .hold }
        #expect(!holds.isEmpty && holds.allSatisfy { $0.hold == "shadowing" })
        #expect(holds.last?.message.contains("differ in text") == true, "\(holds.last?.message ?? "")")
    }

    /// An agreeing relay leaves the shadow phase, climbs, bakes with the holdback on legacy, and
    /// the regression during the bake rolls back.
    @Test func aRegressionDuringTheBakeIsRolledBack() throws {
        let report = Simulation(
            policy: try Repository.policy("guarded"), scenario: try Repository.scenario("bake-regression"), seed: 1
        ).run()
        let kinds = report.transitions.compactMap(\.transition)
        #expect(kinds.prefix(2) == [.started, .shadowPassed], "\(kinds)")
        #expect(kinds.contains(.bakeStarted))
        let bake = try #require(report.transitions.first { $0.transition == .bakeStarted })
        #expect(bake.percent == 99)
        let rollback = try #require(report.transitions.first { $0.phase == .rolledBack })
        #expect(rollback.at > 7200, "after the regression at 2h")
        #expect(report.finalPhase == .rolledBack)
    }

    @Test func brownoutIsRolledBack() throws {
        let report = Simulation(
            policy: try Repository.policy("default"), scenario: try Repository.scenario("relay-brownout"), seed: 1
        ).run()
        #expect(report.finalPhase == .rolledBack)
        let rollback = try #require(report.transitions.first { $0.phase == .rolledBack })
        #expect(rollback.at > 600)
        #expect(
            rollback.message.contains("successRateBelowBaseline") || rollback.message.contains("belowAbsoluteFloor"))
    }

    @Test func latencyRegressionIsRolledBackByTheLatencyGuard() throws {
        let report = Simulation(
            policy: try Repository.policy("default"), scenario: try Repository.scenario("latency-regression"), seed: 1
        ).run()
        #expect(report.finalPhase == .rolledBack)
        let rollback = try #require(report.transitions.first { $0.phase == .rolledBack })
        #expect(rollback.at > 600)
        #expect(rollback.message.contains("latencyAboveBaseline"))
    }

    @Test func sameSeedGivesTheSameRun() throws {
        let policy = try Repository.policy("default")
        let scenario = try Repository.scenario("relay-brownout")
        let a = Simulation(policy: policy, scenario: scenario, seed: 42).run()
        let b = Simulation(policy: policy, scenario: scenario, seed: 42).run()
        #expect(a == b)
        let c = Simulation(policy: policy, scenario: scenario, seed: 43).run()
        #expect(a.legacy != c.legacy || a.relay != c.relay)
    }
}
