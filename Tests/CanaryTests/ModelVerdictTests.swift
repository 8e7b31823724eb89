import Canary
import Foundation
import Testing

/// The scorer compares like with like: each model against itself across the paths.
struct ModelVerdictTests {
    let clock = ManualClock()

    /// Per model: (name, legacy ok, legacy failed, relay ok, relay failed).
    func snapshot(_ models: [(String, Int, Int, Int, Int)]) -> HealthSnapshot {
        let window = HealthWindow(clock: clock)
        for (model, legacyOK, legacyFailed, relayOK, relayFailed) in models {
            for (path, ok, failed) in [(TrafficPath.legacy, legacyOK, legacyFailed), (.relay, relayOK, relayFailed)] {
                for _ in 0..<ok {
                    window.record(CallOutcome(.success, latency: .milliseconds(800), model: model), on: path)
                }
                for _ in 0..<failed {
                    window.record(CallOutcome(.failure(.serverError), latency: .zero, model: model), on: path)
                }
            }
        }
        return window.snapshot()
    }

    @Test func aModelThatFailsOnTheRelayAloneIsNamedEvenWhenThePooledRatePasses() throws {
        // gpt-4.1 is a tenth of the relay's calls and fails 30% of them; the relay serves everything
        // else perfectly. Pooled: relay 97% against 99.5%, above the floor, too close to call.
        let health = snapshot([
            ("gpt-4.1", 995, 5, 70, 30),
            ("gemini-2.5-flash", 3980, 20, 400, 0),
            ("deepseek-v3.2", 2985, 15, 500, 0),
        ])
        let pooled = HealthScorer(configuration: .init(perModel: nil)).evaluate(health)
        #expect(pooled.kind != .unhealthy, "the pooled check alone does not see it: \(pooled.reason.summary)")

        let verdict = HealthScorer().evaluate(health)
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.reason.code == .modelBelowBaseline)
        #expect(verdict.reason.failingModels.map(\.model) == ["gpt-4.1"])
        #expect(verdict.reason.summary.hasPrefix("modelBelowBaseline: successByModel: gpt-4.1: relay 70.0% of 100"))
        let table = try #require(verdict.reason.models)
        #expect(table.map(\.model) == ["gemini-2.5-flash", "deepseek-v3.2", "gpt-4.1"])
        #expect(table.filter { $0.model != "gpt-4.1" }.allSatisfy { $0.outcome == .pass })
        // The reason survives the store's JSON.
        let decoded = try JSONDecoder().decode(HealthVerdict.self, from: JSONEncoder().encode(verdict))
        #expect(decoded == verdict)
    }

    @Test func aChangeOfMixWithEqualHealthPerModelIsNotAChangeOfHealth() throws {
        // Both paths: gpt-4.1 at 99.9%, deepseek-v3.2 at 94%. Legacy is mostly gpt-4.1, the relay
        // mostly deepseek-v3.2, so pooled the relay is 3 points worse.
        let health = snapshot([("gpt-4.1", 9491, 9, 400, 0), ("deepseek-v3.2", 470, 30, 1504, 96)])
        let pooled = HealthScorer(configuration: .init(perModel: nil)).evaluate(health)
        #expect(pooled.kind == .unhealthy, "pooled, the mix looks like a regression: \(pooled.reason.summary)")
        #expect(pooled.reason.code == .successRateBelowBaseline)

        let verdict = HealthScorer().evaluate(health)
        #expect(verdict.kind == .healthy, "\(verdict.reason.summary)")
        let success = try #require(verdict.reason.checks.first { $0.check == .successVsBaseline })
        #expect(success.detail.contains("model for model (2 models, Mantel–Haenszel weights)"))
        #expect(verdict.reason.checks.contains { $0.check == .successByModel && $0.outcome == .pass })
    }

    @Test func aRelayWorseOnEveryModelFailsTheStratifiedCheck() throws {
        let health = snapshot([("gpt-4.1", 4975, 25, 930, 70), ("deepseek-v3.2", 4950, 50, 920, 80)])
        let verdict = HealthScorer().evaluate(health)
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.reason.checks.contains { $0.check == .successVsBaseline && $0.outcome == .fail })
        // Both models fail on their own too: the broad check keeps its reason code, and the summary
        // names the models.
        #expect(verdict.reason.code == .successRateBelowBaseline)
        #expect(Set(verdict.reason.failingModels.map(\.model)) == ["gpt-4.1", "deepseek-v3.2"])
        let named = try #require(verdict.reason.summary.components(separatedBy: "; failing on the relay: ").last)
        #expect(Set(named.components(separatedBy: ", ")) == ["gpt-4.1", "deepseek-v3.2"])
    }

    @Test func aModelTooRareToJudgeAloneNeitherNamesNorHoldsIt() throws {
        let health = snapshot([("gpt-4.1", 4975, 25, 995, 5), ("rare", 20, 0, 4, 1)])
        let verdict = HealthScorer().evaluate(health)
        #expect(verdict.kind == .healthy, "\(verdict.reason.summary)")
        let rare = try #require(verdict.reason.models?.first { $0.model == "rare" })
        #expect(rare.outcome == nil)
        #expect(rare.note == "fewer than 10 judged calls on a path")
    }

    @Test func callsThatNameOneModelAreJudgedExactlyAsThePooledCheck() throws {
        let named = snapshot([("gpt-4.1", 4950, 50, 940, 60)])
        let window = HealthWindow(clock: clock)
        for (path, ok, failed) in [(TrafficPath.legacy, 4950, 50), (.relay, 940, 60)] {
            for _ in 0..<ok { window.record(CallOutcome(.success, latency: .milliseconds(800)), on: path) }
            for _ in 0..<failed { window.record(CallOutcome(.failure(.serverError), latency: .zero), on: path) }
        }
        let a = try #require(HealthScorer().evaluate(named).reason.checks.first { $0.check == .successVsBaseline })
        let b = try #require(
            HealthScorer().evaluate(window.snapshot()).reason.checks.first { $0.check == .successVsBaseline })
        #expect(a == b)
    }

    @Test func theStratifiedIntervalWithOneStratumIsNewcombes() {
        let z = Statistics.normalQuantile(0.95)
        let one = Statistics.stratifiedNewcombeDifference(
            [.init(successes1: 940, trials1: 1000, successes2: 4950, trials2: 5000)], z: z)
        let newcombe = Statistics.newcombeDifference(
            successes1: 940, trials1: 1000, successes2: 4950, trials2: 5000, z: z)
        #expect(abs(one.lower - newcombe.lower) < 1e-12 && abs(one.upper - newcombe.upper) < 1e-12)
        #expect(abs(one.estimate - (0.94 - 0.99)) < 1e-12)
    }

    @Test func theStratifiedDifferenceIgnoresTheMixAndWeighsByMantelHaenszel() {
        let z = Statistics.normalQuantile(0.95)
        // Same rates per stratum on both sides (99% and 90%), opposite mixes: the difference is 0.
        let shifted = Statistics.stratifiedNewcombeDifference(
            [
                .init(successes1: 99, trials1: 100, successes2: 891, trials2: 900),
                .init(successes1: 810, trials1: 900, successes2: 90, trials2: 100),
            ], z: z)
        #expect(abs(shifted.estimate) < 1e-12)
        #expect(shifted.lower < 0 && shifted.upper > 0)
    }

    @Test func theContinuityCorrectedIntervalIsWiderThanWilsons() {
        let z = Statistics.normalQuantile(0.99)
        for (successes, trials) in [(12, 15), (0, 10), (10, 10), (95, 100)] {
            let plain = Statistics.wilson(successes: successes, trials: trials, z: z)
            let corrected = Statistics.wilsonCorrected(successes: successes, trials: trials, z: z)
            #expect(corrected.lower <= plain.lower && corrected.upper >= plain.upper, "\(successes)/\(trials)")
        }
        // Newcombe 1998, table I, method 4: 0/20 at 95% two-sided is [0, 0.2005].
        let zeroOfTwenty = Statistics.wilsonCorrected(successes: 0, trials: 20, z: Statistics.normalQuantile(0.975))
        #expect(zeroOfTwenty.lower == 0 && abs(zeroOfTwenty.upper - 0.2005) < 0.0005)
        let example = Statistics.wilsonCorrected(successes: 81, trials: 263, z: Statistics.normalQuantile(0.975))
        #expect(abs(example.lower - 0.2535) < 0.0005 && abs(example.upper - 0.3682) < 0.0005)
    }
}
