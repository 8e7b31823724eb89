import Canary
import Foundation
import Testing

/// The window's counts per model: kept per path, bounded, expired with their bucket, and carried
/// through the fleet's published buckets.
struct ModelWindowTests {
    let clock = ManualClock()

    func record(
        _ window: HealthWindow<ManualClock>, _ model: String?, ok: Int, failed: Int = 0, on path: TrafficPath
    ) {
        for _ in 0..<ok { window.record(CallOutcome(.success, latency: .milliseconds(100), model: model), on: path) }
        for _ in 0..<failed {
            window.record(CallOutcome(.failure(.serverError), latency: .milliseconds(10), model: model), on: path)
        }
    }

    @Test func countsEachModelApartOnEachPathAndLeavesUnnamedCallsOutOfTheTable() {
        let window = HealthWindow(clock: clock)
        record(window, "gpt-4.1", ok: 7, failed: 3, on: .relay)
        record(window, "deepseek-v3.2", ok: 5, on: .relay)
        record(window, "gpt-4.1", ok: 20, on: .legacy)
        window.record(CallOutcome(.failure(.clientError), latency: .milliseconds(3), model: "gpt-4.1"), on: .relay)
        record(window, nil, ok: 4, on: .relay)
        let relay = window.snapshot(of: .relay)
        #expect(relay.requests == 20)
        #expect(relay.models["gpt-4.1"] == ModelCounts(requests: 11, successes: 7, failures: 3, clientErrors: 1))
        #expect(relay.models["deepseek-v3.2"]?.judged == 5)
        #expect(relay.models.count == 2)
        #expect(window.snapshot(of: .legacy).models["gpt-4.1"]?.successRate == 1.0)
    }

    @Test func modelsBeyondTheLimitOfABucketAreCountedAsUnlisted() {
        let window = HealthWindow(configuration: .init(modelLimit: 2), clock: clock)
        for model in ["a", "b", "c", "d"] { record(window, model, ok: 1, on: .relay) }
        record(window, "a", ok: 1, on: .relay)
        let relay = window.snapshot(of: .relay)
        #expect(Set(relay.models.keys) == ["a", "b"])
        #expect(relay.models["a"]?.requests == 2)
        #expect(relay.unlistedModels.requests == 2)
    }

    @Test func aModelsCountsExpireWithTheirBucket() {
        let window = HealthWindow(configuration: .init(bucketCount: 2, bucketWidth: .seconds(5)), clock: clock)
        record(window, "gpt-4.1", ok: 3, on: .relay)
        clock.advance(by: .seconds(5))
        record(window, "deepseek-v3.2", ok: 2, on: .relay)
        #expect(window.snapshot(of: .relay).models.count == 2)
        clock.advance(by: .seconds(5))
        let relay = window.snapshot(of: .relay)
        #expect(relay.models["gpt-4.1"] == nil, "expired with its bucket, not left as a zero row")
        #expect(relay.models["deepseek-v3.2"]?.requests == 2)
    }

    @Test func theTableHoldsTheTopModelsByTrafficOnBothPathsAndFoldsTheRestIntoOther() throws {
        let window = HealthWindow(clock: clock)
        record(window, "heavy", ok: 50, on: .legacy)
        record(window, "heavy", ok: 10, on: .relay)
        record(window, "middle", ok: 30, on: .relay)
        record(window, "light", ok: 5, on: .legacy)
        record(window, "lighter", ok: 2, failed: 1, on: .relay)
        let rows = window.snapshot().modelComparisons(top: 2)
        #expect(rows.map(\.model) == ["heavy", "middle", "other"])
        let other = try #require(rows.last)
        #expect(other.isOther)
        #expect(other.legacy == ModelCounts(requests: 5, successes: 5))
        #expect(other.relay == ModelCounts(requests: 3, successes: 2, failures: 1))
        #expect(rows[1].servedByBoth == false)
        #expect(window.snapshot().modelComparisons(top: 8).map(\.model) == ["heavy", "middle", "light", "lighter"])
    }

    @Test func perModelCountsSurviveTheFleetsPublishedBucketsAndSumAcrossReplicas() throws {
        let first = HealthWindow(clock: clock)
        let second = HealthWindow(clock: clock)
        record(first, "gpt-4.1", ok: 9, failed: 1, on: .relay)
        record(second, "gpt-4.1", ok: 5, failed: 5, on: .relay)
        record(second, "deepseek-v3.2", ok: 4, on: .legacy)
        let published = first.buckets(numberedFrom: 100) + second.buckets(numberedFrom: 100)
        // Through JSON, as the stores keep them.
        let decoded = try JSONDecoder().decode([HealthBucket].self, from: JSONEncoder().encode(published))
        #expect(decoded == published)
        let fleet = HealthSnapshot(summing: decoded)
        #expect(fleet.relay.models["gpt-4.1"] == ModelCounts(requests: 20, successes: 14, failures: 6))
        #expect(fleet.legacy.models["deepseek-v3.2"]?.successes == 4)
    }

    @Test func aBucketPublishedBeforeModelsWereCountedIsStillRead() throws {
        // A row as an older replica wrote it: no `models` key.
        let json = """
            {"path":"relay","number":7,"widthSeconds":5,"requests":3,"successes":2,"failures":{"serverError":1},
             "latency":\(try String(decoding: JSONEncoder().encode(LatencyHistogram()), as: UTF8.self)),
             "timeToFirstToken":\(try String(decoding: JSONEncoder().encode(LatencyHistogram()), as: UTF8.self)),
             "inputTokens":0,"outputTokens":0,"cost":0}
            """
        let bucket = try JSONDecoder().decode(HealthBucket.self, from: Data(json.utf8))
        #expect(bucket.models == nil)
        let snapshot = HealthSnapshot(summing: [bucket])
        #expect(snapshot.relay.judged == 3)
        #expect(snapshot.relay.models.isEmpty)
    }

    /// The floor judges the relay on legacy's mix: a relay that carries mostly a model that fails
    /// as often on legacy is not below the floor for it, while a pooled floor would say it is.
    @Test func theFloorIsJudgedOnLegacysModelMix() {
        let window = HealthWindow(configuration: .init(), clock: clock)
        record(window, "easy", ok: 100, on: .relay)
        record(window, "hard", ok: 828, failed: 72, on: .relay)  // 92%, 90% of the relay's calls
        record(window, "easy", ok: 900, on: .legacy)
        record(window, "hard", ok: 92, failed: 8, on: .legacy)  // 92%, 10% of legacy's calls
        var configuration = HealthScorer.Configuration()
        configuration.p95Ratio = nil
        configuration.maxP95 = nil
        let verdict = HealthScorer(configuration: configuration).evaluate(window.snapshot())
        let floor = verdict.reason.checks.first { $0.check == .absoluteFloor }
        #expect(floor?.outcome == .pass, "\(floor?.detail ?? "no floor check")")
        #expect(floor?.detail.contains("on legacy's model mix") == true)
        #expect(verdict.kind != .unhealthy, "\(verdict.reason.summary)")
        var pooled = configuration
        pooled.perModel = nil
        let pooledFloor = HealthScorer(configuration: pooled).evaluate(window.snapshot()).reason.checks.first {
            $0.check == .absoluteFloor
        }
        #expect(pooledFloor?.outcome == .fail, "the pooled rate, 92.8% of 1,000, is below the 95% floor")
    }
}
