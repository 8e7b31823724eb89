import Canary
import Testing

struct HealthScorerTests {
    let clock = ManualClock()

    /// A snapshot with the given successes and failures per path and fixed latencies.
    func snapshot(
        legacy: (ok: Int, failed: Int), relay: (ok: Int, failed: Int),
        legacyLatency: Duration = .milliseconds(800), relayLatency: Duration = .milliseconds(800)
    ) -> HealthSnapshot {
        let window = HealthWindow(clock: clock)
        for _ in 0..<legacy.ok { window.record(CallOutcome(.success, latency: legacyLatency), on: .legacy) }
        for _ in 0..<legacy.failed { window.record(CallOutcome(.failure(.serverError), latency: .zero), on: .legacy) }
        for _ in 0..<relay.ok { window.record(CallOutcome(.success, latency: relayLatency), on: .relay) }
        for _ in 0..<relay.failed { window.record(CallOutcome(.failure(.serverError), latency: .zero), on: .relay) }
        return window.snapshot()
    }

    @Test func fewerThanMinSamplesOnEitherSideIsInsufficientDataWithScoreOneHalf() {
        let scorer = HealthScorer()
        let verdict = scorer.evaluate(snapshot(legacy: (1000, 0), relay: (99, 0)))
        #expect(verdict.kind == .insufficientData)
        #expect(verdict.score == 0.5)
        #expect(verdict.reason.code == .insufficientData)
        #expect(verdict.reason.samples.relay == 99 && verdict.reason.samples.legacy == 1000)
        #expect(verdict.reason.summary.contains("have legacy 1000, relay 99"))
    }

    @Test func relayAsGoodAsBaselineWithEnoughSamplesIsHealthy() {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (4975, 25), relay: (995, 5)))
        #expect(verdict.kind == .healthy)
        #expect(verdict.score > 0.5)
        #expect(verdict.reason.checks.allSatisfy { $0.outcome == .pass })
    }

    @Test func relayClearlyBelowBaselineMinusToleranceIsUnhealthyWithTheNumbers() throws {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (4950, 50), relay: (940, 60)))
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.score < 0.5)
        #expect(verdict.reason.code == .successRateBelowBaseline)
        let check = try #require(verdict.reason.checks.first { $0.check == .successVsBaseline })
        #expect(check.outcome == .fail)
        #expect(check.relayValue == 0.94 && check.baselineValue == 0.99)
        #expect(try #require(check.bound) < -0.02)
        #expect(verdict.reason.summary.contains("relay 94.0% vs legacy 99.0%"))
    }

    @Test func hundredNoisySamplesCannotPromoteARelayThatLooksSlightlyWorse() {
        // 97 of 100 against 99.5%: the point estimate is within 2.5 points, but the
        // bound cannot show the relay is within the 2-point tolerance.
        let verdict = HealthScorer().evaluate(snapshot(legacy: (9950, 50), relay: (97, 3)))
        #expect(verdict.kind == .insufficientData)
        #expect(verdict.reason.code == .inconclusive)
    }

    @Test func theSeedsPointRuleAloneWouldHavePromotedWhatTheBoundHolds() {
        // Relay 98.0% vs legacy 99.0% over 100 calls: the seeds' rule (≥ baseline − 0.02 and ≥ 0.95)
        // says healthy; with 100 samples the lower bound on the difference is below −2 points.
        let verdict = HealthScorer().evaluate(snapshot(legacy: (990, 10), relay: (98, 2)))
        #expect(0.98 >= 0.99 - 0.02)
        #expect(verdict.kind != .healthy)
    }

    @Test func relayBelowTheAbsoluteFloorIsUnhealthyEvenWhenTheBaselineIsAsBad() {
        let verdict = HealthScorer().evaluate(snapshot(legacy: (9000, 1000), relay: (900, 100)))
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.reason.code == .belowAbsoluteFloor)
    }

    @Test func relayP95AboveBaselineTimesRatioIsUnhealthy() {
        let verdict = HealthScorer().evaluate(
            snapshot(legacy: (1000, 0), relay: (1000, 0), legacyLatency: .seconds(1), relayLatency: .seconds(2)))
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.reason.code == .latencyAboveBaseline)
    }

    @Test func relayP95AboveTheCeilingIsUnhealthy() {
        let scorer = HealthScorer(configuration: .init(p95Ratio: nil, maxP95: .seconds(5)))
        let verdict = scorer.evaluate(
            snapshot(legacy: (1000, 0), relay: (1000, 0), legacyLatency: .seconds(6), relayLatency: .seconds(6)))
        #expect(verdict.kind == .unhealthy)
        #expect(verdict.reason.code == .latencyAboveCeiling)
    }

    @Test func latencyChecksCanBeTurnedOff() {
        let scorer = HealthScorer(configuration: .init(p95Ratio: nil, maxP95: nil))
        let verdict = scorer.evaluate(
            snapshot(legacy: (1000, 0), relay: (1000, 0), legacyLatency: .seconds(1), relayLatency: .seconds(60)))
        #expect(verdict.kind == .healthy)
        #expect(verdict.reason.checks.map(\.check) == [.successVsBaseline, .absoluteFloor])
    }

    @Test func higherConfidenceNeedsMoreEvidence() {
        let data = snapshot(legacy: (4975, 25), relay: (297, 3))
        #expect(HealthScorer(configuration: .init(confidence: 0.9)).evaluate(data).kind == .healthy)
        #expect(HealthScorer(configuration: .init(confidence: 0.999)).evaluate(data).kind == .insufficientData)
    }
}

struct StatisticsTests {
    @Test(arguments: [(0.5, 0.0), (0.95, 1.6448536), (0.99, 2.3263479), (0.975, 1.9599640), (0.01, -2.3263479)])
    func normalQuantileMatchesTables(p: Double, z: Double) {
        #expect(abs(Statistics.normalQuantile(p) - z) < 1e-6)
    }

    @Test func wilsonIntervalMatchesAHandComputedValue() {
        // 90 of 100 at z = 1.96: (0.8256, 0.9448) (Newcombe 1998, table I style check).
        let (lower, upper) = Statistics.wilson(successes: 90, trials: 100, z: 1.959964)
        #expect(abs(lower - 0.8256) < 5e-4)
        #expect(abs(upper - 0.9448) < 5e-4)
    }

    @Test func wilsonIntervalDoesNotCollapseAtAllSuccesses() {
        let (lower, upper) = Statistics.wilson(successes: 100, trials: 100, z: 1.6449)
        #expect(lower > 0.97 && lower < 0.98)
        #expect(upper == 1)
    }

    @Test func newcombeIntervalMatchesThePublishedExample() {
        // Newcombe (1998), example (e): 56/70 − 48/80 = 0.2, 95% CI (0.0524, 0.3339).
        let (lower, upper) = Statistics.newcombeDifference(
            successes1: 56, trials1: 70, successes2: 48, trials2: 80, z: 1.959964)
        #expect(abs(lower - 0.0524) < 5e-4)
        #expect(abs(upper - 0.3339) < 5e-4)
    }
}
