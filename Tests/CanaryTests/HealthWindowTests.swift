import Canary
import Foundation
import Testing

struct HealthWindowTests {
    let clock = ManualClock()

    func window(buckets: Int = 60, width: Duration = .seconds(5)) -> HealthWindow<ManualClock> {
        HealthWindow(configuration: .init(bucketCount: buckets, bucketWidth: width), clock: clock)
    }

    @Test func countsSuccessesAndFailuresByClassPerPath() {
        let window = window()
        window.record(
            CallOutcome(.success, latency: .milliseconds(100), inputTokens: 10, outputTokens: 5, cost: 0.01), on: .relay
        )
        window.record(CallOutcome(.failure(.rateLimited), latency: .milliseconds(5)), on: .relay)
        window.record(CallOutcome(.failure(.timeout), latency: .seconds(30)), on: .relay)
        window.record(CallOutcome(.success, latency: .milliseconds(200)), on: .legacy)
        let relay = window.snapshot(of: .relay)
        #expect(relay.requests == 3)
        #expect(relay.successes == 1)
        #expect(relay.failures[.rateLimited] == 1 && relay.failures[.timeout] == 1)
        #expect(relay.judged == 3)
        #expect(relay.inputTokens == 10 && relay.outputTokens == 5 && relay.cost == 0.01)
        #expect(window.snapshot(of: .legacy).requests == 1)
    }

    @Test func clientErrorsAndCancellationsAreRecordedApartAndNeverCountAgainstThePath() {
        let window = window()
        for _ in 0..<10 { window.record(CallOutcome(.success, latency: .milliseconds(100)), on: .relay) }
        for _ in 0..<5 { window.record(CallOutcome(.failure(.clientError), latency: .milliseconds(3)), on: .relay) }
        window.record(CallOutcome(.failure(.cancelled), latency: .milliseconds(3)), on: .relay)
        let relay = window.snapshot(of: .relay)
        #expect(relay.requests == 16)
        #expect(relay.failures[.clientError] == 5 && relay.failures[.cancelled] == 1)
        #expect(relay.judged == 10)
        #expect(relay.successRate == 1.0)
    }

    @Test func authErrorsCountAgainstThePath() {
        let window = window()
        window.record(CallOutcome(.success, latency: .milliseconds(100)), on: .relay)
        window.record(CallOutcome(.failure(.authError), latency: .milliseconds(3)), on: .relay)
        #expect(window.snapshot(of: .relay).successRate == 0.5)
    }

    @Test func outcomesLeaveTheWindowWhenTheirBucketExpires() {
        let window = window(buckets: 3, width: .seconds(10))
        window.record(CallOutcome(.failure(.serverError), latency: .milliseconds(10)), on: .relay)  // bucket 0
        clock.advance(by: .seconds(10))
        window.record(CallOutcome(.success, latency: .milliseconds(10)), on: .relay)  // bucket 1
        clock.advance(by: .seconds(10))
        window.record(CallOutcome(.success, latency: .milliseconds(10)), on: .relay)  // bucket 2
        #expect(window.snapshot(of: .relay).requests == 3)
        clock.advance(by: .seconds(10))  // bucket 3: bucket 0 falls out
        let later = window.snapshot(of: .relay)
        #expect(later.requests == 2 && later.failures[.serverError] == 0 && later.successRate == 1)
        clock.advance(by: .seconds(30))
        #expect(window.snapshot(of: .relay).requests == 0)
        #expect(window.snapshot(of: .relay).successRate == nil)
    }

    @Test func aLongSilenceDoesNotResurrectOldBuckets() {
        let window = window(buckets: 4, width: .seconds(1))
        window.record(CallOutcome(.success, latency: .milliseconds(10)), on: .legacy)
        clock.advance(by: .seconds(4))  // slot 0 again, four buckets later
        window.record(CallOutcome(.failure(.timeout), latency: .milliseconds(10)), on: .legacy)
        let snapshot = window.snapshot(of: .legacy)
        #expect(snapshot.requests == 1 && snapshot.successes == 0)
    }

    @Test func percentilesComeFromTheLatencyOfSuccessfulCalls() throws {
        let window = window()
        for ms in 1...100 { window.record(CallOutcome(.success, latency: .milliseconds(ms * 10)), on: .relay) }
        window.record(CallOutcome(.failure(.timeout), latency: .seconds(60)), on: .relay)
        let relay = window.snapshot(of: .relay)
        let p50 = inSeconds(try #require(relay.p50))
        let p95 = inSeconds(try #require(relay.p95))
        let p99 = inSeconds(try #require(relay.p99))
        #expect(abs(p50 - 0.5) / 0.5 < 0.02)
        #expect(abs(p95 - 0.95) / 0.95 < 0.02)
        #expect(abs(p99 - 0.99) / 0.99 < 0.02)
        #expect(relay.latencySamples == 100)
    }

    @Test func timeToFirstTokenIsTrackedForStreams() throws {
        let window = window()
        window.record(CallOutcome(.success, latency: .seconds(3), timeToFirstToken: .milliseconds(250)), on: .relay)
        let ttft = try #require(window.snapshot(of: .relay).timeToFirstToken(percentile: 50))
        #expect(abs(inSeconds(ttft) - 0.25) < 0.005)
    }

    @Test func judgedCountSinceAnInstantCountsOnlyLaterBuckets() {
        let window = window(buckets: 60, width: .seconds(5))
        for _ in 0..<7 { window.record(CallOutcome(.success, latency: .milliseconds(10)), on: .relay) }
        clock.advance(by: .seconds(60))
        let stepStart = clock.now
        for _ in 0..<3 { window.record(CallOutcome(.success, latency: .milliseconds(10)), on: .relay) }
        window.record(CallOutcome(.failure(.clientError), latency: .milliseconds(10)), on: .relay)
        #expect(window.judgedCount(of: .relay, since: stepStart) == 3)
        #expect(window.snapshot(of: .relay).judged == 10)
    }

    @Test func memoryIsBoundedByTheBucketCountWhateverTheTraffic() {
        let window = window(buckets: 10, width: .seconds(1))
        // 100,000 calls spread over 100 seconds: only the last ten seconds remain.
        for second in 0..<100 {
            for _ in 0..<1000 { window.record(CallOutcome(.success, latency: .milliseconds(50)), on: .relay) }
            if second < 99 { clock.advance(by: .seconds(1)) }
        }
        #expect(window.snapshot(of: .relay).requests == 10_000)
        #expect(window.configuration.span == .seconds(10))
    }

    @Test func recordingFromManyTasksAtOnceLosesNothing() async {
        let window = window()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for i in 0..<2_000 {
                        let outcome =
                            i % 10 == 0
                            ? CallOutcome(.failure(.serverError), latency: .milliseconds(5))
                            : CallOutcome(.success, latency: .milliseconds(Int64(i % 500 + 1)), outputTokens: 1)
                        window.record(outcome, on: task % 2 == 0 ? .legacy : .relay)
                    }
                }
            }
        }
        let snapshot = window.snapshot()
        for path in TrafficPath.allCases {
            #expect(snapshot[path].requests == 16_000)
            #expect(snapshot[path].failures[.serverError] == 1_600)
            #expect(snapshot[path].successes == 14_400)
            #expect(snapshot[path].outputTokens == 14_400)
            #expect(snapshot[path].latencySamples == 14_400)
        }
    }
}

struct LatencyHistogramTests {
    @Test func valuesAreKeptToWithinOnePointSixPercent() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<10_000 {
            let micros = Int64.random(in: 1...3_000_000_000, using: &rng)
            var h = LatencyHistogram()
            h.record(.microseconds(micros))
            let back = inSeconds(h.percentile(50)!) * 1_000_000
            #expect(abs(back - Double(micros)) / Double(micros) <= 1.0 / 64 + 1e-9)
        }
    }

    @Test func subtractUndoesAdd() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        for ms in 1...50 { a.record(.milliseconds(ms)) }
        for ms in 100...150 { b.record(.milliseconds(ms)) }
        var total = a
        total.add(b)
        #expect(total.totalCount == 101)
        total.subtract(b)
        #expect(total == a)
    }

    @Test func countAboveExcludesTheThresholdsOwnBucket() {
        var h = LatencyHistogram()
        for ms in [100, 200, 300, 400, 1000] { h.record(.milliseconds(Int64(ms))) }
        #expect(h.count(above: .milliseconds(300)) == 2)
        #expect(h.count(above: .milliseconds(50)) == 5)
        #expect(h.count(above: .seconds(5)) == 0)
    }

    @Test func emptyHistogramHasNoPercentile() {
        #expect(LatencyHistogram().percentile(95) == nil)
    }
}

struct FailureCountsCodingTests {
    @Test func failureCountsEncodeAsANamedMapWithoutZeros() throws {
        var counts = FailureCounts()
        counts[.rateLimited] = 3
        counts[.timeout] = 1
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        #expect(json.contains("\"rateLimited\":3") && json.contains("\"timeout\":1") && !json.contains("serverError"))
        #expect(try JSONDecoder().decode(FailureCounts.self, from: Data(json.utf8)) == counts)
        // A class this build does not know (a newer replica's) still counts, as `other`.
        #expect(try JSONDecoder().decode(FailureCounts.self, from: Data("{\"teapot\":1}".utf8))[.other] == 1)
    }
}
