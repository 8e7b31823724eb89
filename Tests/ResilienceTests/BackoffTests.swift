import Canary
import Testing

@testable import Resilience

struct BackoffTests {
    @Test func exponentialDelayWithoutJitterDoublesUpToTheCap() {
        var rng = SeededGenerator(seed: 1)
        let backoff = Backoff(initial: .milliseconds(100), multiplier: 2, maximum: .milliseconds(1000), jitter: .none)
        let delays = (1...6).map { backoff.delay(forRetry: $0, previous: nil, using: &rng) }
        #expect(delays == [100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
    }

    @Test func capIsAppliedBeforeJitterEvenForHugeRetryNumbers() {
        let backoff = Backoff(initial: .seconds(1), multiplier: 10, maximum: .seconds(5), jitter: .full)
        #expect(backoff.cappedDelay(forRetry: 10_000) == .seconds(5))
        #expect(backoff.cappedDelay(forRetry: 1) == .seconds(1))
    }

    /// Seeded property test: thousands of random configurations and retry numbers per jitter variant.
    @Test("every jitter variant stays within its bounds and never exceeds the cap", arguments: Jitter.allCases)
    func jitterStaysWithinBounds(jitter: Jitter) {
        var rng = SeededGenerator(seed: 0x5EED_0000 + UInt64(Jitter.allCases.firstIndex(of: jitter)!))
        var distinctDelays = Set<Duration>()
        for _ in 0..<5_000 {
            let initial = Duration.milliseconds(Int64.random(in: 1...2_000, using: &rng))
            let maximum = initial + .milliseconds(Int64.random(in: 0...60_000, using: &rng))
            let multiplier = Double.random(in: 1...4, using: &rng)
            let backoff = Backoff(initial: initial, multiplier: multiplier, maximum: maximum, jitter: jitter)
            #expect(throws: Never.self) { try backoff.validate() }
            var previous: Duration?
            for retry in 1...Int.random(in: 1...40, using: &rng) {
                let delay = backoff.delay(forRetry: retry, previous: previous, using: &rng)
                let capped = backoff.cappedDelay(forRetry: retry)
                #expect(capped <= maximum)
                #expect(delay <= maximum, "\(jitter) gave \(delay) above the cap \(maximum)")
                switch jitter {
                case .none:
                    #expect(delay == capped)
                case .full:
                    #expect(delay >= .zero && delay <= capped)
                case .equal:
                    #expect(delay >= capped / 2 - .nanoseconds(1) && delay <= capped)
                case .decorrelated:
                    let base = min(initial, maximum)
                    #expect(delay >= base)
                    #expect(delay <= max(base, (previous ?? base) * 3))
                }
                distinctDelays.insert(delay)
                previous = delay
            }
        }
        if jitter != .none { #expect(distinctDelays.count > 1_000, "jitter must actually vary") }
    }

    @Test func sameSeedGivesSameDelays() {
        let backoff = Backoff()
        var first = SeededGenerator(seed: 99)
        var second = SeededGenerator(seed: 99)
        let a = (1...10).map { backoff.delay(forRetry: $0, previous: nil, using: &first) }
        let b = (1...10).map { backoff.delay(forRetry: $0, previous: nil, using: &second) }
        #expect(a == b)
    }

    @Test(
        "invalid back-offs are rejected",
        arguments: [
            Backoff(initial: .zero), Backoff(initial: .seconds(2), maximum: .seconds(1)),
            Backoff(multiplier: 0.5), Backoff(multiplier: .infinity),
        ])
    func invalidBackoffIsRejected(backoff: Backoff) {
        #expect(throws: ResilienceError.self) { try backoff.validate() }
    }
}
