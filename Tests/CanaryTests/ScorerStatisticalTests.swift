import Canary
import Foundation
import ShepherdTesting
import Testing

/// The scorer's error rates, measured over 1,000 seeded simulations each.
///
/// Setting: the default policy (confidence 0.95 one-sided, tolerance 0.02,
/// floor 0.95, minSamples 100, 2-minute holds, 5-minute window), 10 requests
/// per second, legacy at 99% success. A relay 3 points worse (96%) must be
/// promoted in fewer than 1% of runs; a relay equal to legacy must be rolled
/// back in fewer than 1% of runs.
struct ScorerStatisticalTests {
    static let runs = 1_000

    static func scenario(relaySuccess: Double) -> Scenario {
        Scenario(
            name: "study", duration: .seconds(3600),
            traffic: .init(requestsPerSecond: 10, keyedShare: 0.9, users: 5000),
            legacy: .init(successRate: 0.99, p50: .milliseconds(900), p95: .milliseconds(2500)),
            relay: .init(successRate: relaySuccess, p50: .milliseconds(900), p95: .milliseconds(2500)))
    }

    /// Runs the study and returns (promoted, rolled back) counts.
    ///
    /// The simulations are minutes of CPU: they run on a thread of their own, not on Swift's
    /// cooperative pool (two threads on a two-core machine), which they would otherwise hold for
    /// the whole time, starving every other test in the process past its time limit.
    static func study(relaySuccess: Double) async throws -> (promoted: Int, rolledBack: Int) {
        let policy = try Repository.policy("default")
        let scenario = scenario(relaySuccess: relaySuccess)
        let (promoted, rolledBack) = await withCheckedContinuation { continuation in
            Thread {
                var promoted = 0
                var rolledBack = 0
                for seed in 1...UInt64(runs) {
                    let report = Simulation(policy: policy, scenario: scenario, seed: seed, stopWhenSettled: true).run()
                    if report.promotedAt != nil { promoted += 1 }
                    if report.rolledBackAt != nil { rolledBack += 1 }
                }
                continuation.resume(returning: (promoted, rolledBack))
            }.start()
        }
        print(
            "scorer study, relay success \(relaySuccess) vs legacy 0.99: promoted \(promoted), rolled back \(rolledBack) of \(runs)"
        )
        return (promoted, rolledBack)
    }

    @Test func relayThreePointsWorseIsPromotedInFewerThanOnePercentOfRuns() async throws {
        let (promoted, rolledBack) = try await Self.study(relaySuccess: 0.96)
        #expect(promoted * 100 < Self.runs, "promoted \(promoted) of \(Self.runs)")
        // And it is caught, not merely stalled: most runs end in a rollback.
        #expect(rolledBack * 100 > Self.runs * 90, "rolled back \(rolledBack) of \(Self.runs)")
    }

    @Test func relayEqualToBaselineIsRolledBackInFewerThanOnePercentOfRuns() async throws {
        let (promoted, rolledBack) = try await Self.study(relaySuccess: 0.99)
        #expect(rolledBack * 100 < Self.runs, "rolled back \(rolledBack) of \(Self.runs)")
        #expect(promoted * 100 > Self.runs * 90, "promoted \(promoted) of \(Self.runs)")
    }
}
