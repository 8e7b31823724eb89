import Canary
import Foundation
import ShepherdTesting
import Testing

/// The shipped per-model scenarios through the real simulator, and the seeded study behind the
/// per-model verdict's error rates.
///
/// The study here is a reduced one (200 runs of each scenario) that runs with every `swift test`;
/// the full thousand, whose figures the README quotes, is
/// `swift run shepherd simulate --policy policies/default.yaml --scenario scenarios/<name>.yaml --runs 1000`.
struct ModelScenarioTests {
    static let runs = 200

    @Test func aRelayThatFailsOneModelIsRolledBackAndTheReasonNamesIt() throws {
        let report = Simulation(
            policy: try Repository.policy("default"), scenario: try Repository.scenario("relay-fails-one-model"),
            seed: 1
        ).run()
        #expect(report.finalPhase == .rolledBack)
        let rollback = try #require(report.transitions.first { $0.phase == .rolledBack })
        #expect(rollback.reason == .modelBelowBaseline)
        #expect(rollback.failingModels == ["gpt-4.1"])
        #expect(rollback.message.contains("gpt-4.1"))
        #expect(report.promotedAt == nil)
    }

    @Test func aChangeOfModelMixWithEqualHealthClimbsToOneHundredPercent() throws {
        let report = Simulation(
            policy: try Repository.policy("default"), scenario: try Repository.scenario("model-mix-shift"), seed: 1
        ).run()
        #expect(report.finalPhase == .promoted)
        #expect(report.rolledBackAt == nil)
    }

    @Test func withoutVerdictsPerModelTheMixShiftIsNeverPromoted() throws {
        // The contrast that shows what the stratified check buys: judged pooled, the relay looks three
        // points worse than legacy, so the ramp holds or rolls back.
        var policy = try Repository.policy("default")
        policy.health.perModel = nil
        let report = Simulation(policy: policy, scenario: try Repository.scenario("model-mix-shift"), seed: 1).run()
        #expect(report.promotedAt == nil)
    }

    @Test func aScenarioWithoutModelsRunsAsItDidBefore() throws {
        // The model draw is skipped when no model is named, so the random stream (and the run) is unchanged;
        // the healthy scenario still climbs the ladder evaluation for evaluation as before.
        let report = Simulation(
            policy: try Repository.policy("default"), scenario: try Repository.scenario("healthy"), seed: 1
        )
        .run()
        #expect(report.percentPath == [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 85.4296875, 100])
        #expect(report.transitions.allSatisfy { $0.failingModels == nil })
    }

    /// Runs a study on a thread of its own (see `ScorerStatisticalTests.study`).
    static func study(_ scenario: String) async throws -> SimulationStudy.Result {
        let study = SimulationStudy(
            policy: try Repository.policy("default"), scenario: try Repository.scenario(scenario), runs: runs)
        let result = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: study.run()) }.start()
        }
        print("model study, \(scenario): \(result.summary)")
        return result
    }

    @Test func aRelayThatFailsOneModelIsPromotedInFewerThanOnePercentOfRuns() async throws {
        let result = try await Self.study("relay-fails-one-model")
        #expect(result.promoted * 100 < result.runs, "missed: promoted \(result.promoted) of \(result.runs)")
        #expect(result.unsettled * 100 < result.runs, "missed: neither in \(result.unsettled) of \(result.runs)")
        // Caught, and caught by name.
        #expect(result.namedInRollbacks["gpt-4.1", default: 0] * 100 > result.runs * 99)
    }

    @Test func aChangeOfModelMixIsAlmostNeverRolledBack() async throws {
        let result = try await Self.study("model-mix-shift")
        // The full study (1,000 seeds, `shepherd simulate … --runs 1000`) rolls back 2 (0.2%); these
        // 200 seeds hold both of them, so the bound here is 1% of 200.
        #expect(result.rolledBack * 100 <= result.runs, "wrong rollbacks \(result.rolledBack) of \(result.runs)")
        #expect(result.promoted * 100 > result.runs * 95, "promoted \(result.promoted) of \(result.runs)")
    }
}
