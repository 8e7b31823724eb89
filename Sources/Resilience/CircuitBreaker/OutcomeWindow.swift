/// The sliding window of call outcomes a circuit breaker judges: count- or time-based.
///
/// Both kinds keep preallocated storage and running totals, so recording an
/// outcome allocates nothing (the breaker's success path stays cheap).
struct OutcomeWindow: Sendable {
    typealias Instant = CircuitBreakerStateMachine.Instant

    struct Totals: Sendable, Hashable {
        var calls = 0
        var failures = 0
        var slow = 0
    }

    private struct Bucket: Sendable {
        var index: Int64 = .min
        var totals = Totals()
    }

    private static var failureBit: UInt8 { 1 }
    private static var slowBit: UInt8 { 2 }

    private let isTimeBased: Bool
    // Count-based: a ring of outcome bits and running totals.
    private var ring: [UInt8]
    private var next = 0
    private var filled = 0
    private var running = Totals()
    // Time-based: a ring of buckets, each stamped with its absolute bucket index.
    private var buckets: [Bucket]
    private let bucketNanos: Int64
    private var origin: Instant?

    init(_ window: CircuitBreakerConfiguration.Window) {
        switch window {
        case .count(let size):
            isTimeBased = false
            ring = Array(repeating: 0, count: size)
            buckets = []
            bucketNanos = 1
        case .time(let duration, let count):
            isTimeBased = true
            ring = []
            buckets = Array(repeating: Bucket(), count: count)
            bucketNanos = max(1, wholeNanoseconds(duration) / Int64(count))
        }
    }

    mutating func record(failure: Bool, slow: Bool, at now: @autoclosure () -> Instant) {
        if isTimeBased {
            let index = bucketIndex(at: now())
            let slot = Int(index % Int64(buckets.count))
            if buckets[slot].index != index { buckets[slot] = Bucket(index: index) }
            buckets[slot].totals.calls += 1
            if failure { buckets[slot].totals.failures += 1 }
            if slow { buckets[slot].totals.slow += 1 }
            return
        }
        if filled == ring.count {
            let evicted = ring[next]
            running.calls -= 1
            if evicted & Self.failureBit != 0 { running.failures -= 1 }
            if evicted & Self.slowBit != 0 { running.slow -= 1 }
        } else {
            filled += 1
        }
        ring[next] = (failure ? Self.failureBit : 0) | (slow ? Self.slowBit : 0)
        next = next + 1 == ring.count ? 0 : next + 1
        running.calls += 1
        if failure { running.failures += 1 }
        if slow { running.slow += 1 }
    }

    func totals(at now: @autoclosure () -> Instant) -> Totals {
        guard isTimeBased else { return running }
        let instant = now()
        guard let origin, origin <= instant else { return Totals() }
        let current = wholeNanoseconds(origin.duration(to: instant)) / bucketNanos
        var sum = Totals()
        for bucket in buckets
        where bucket.index >= 0 && bucket.index <= current && current - bucket.index < Int64(buckets.count) {
            sum.calls += bucket.totals.calls
            sum.failures += bucket.totals.failures
            sum.slow += bucket.totals.slow
        }
        return sum
    }

    /// Whether this is a count window holding neither failures nor slow calls.
    var isCleanCountWindow: Bool { !isTimeBased && running.failures == 0 && running.slow == 0 }

    mutating func reset() {
        if isTimeBased {
            for slot in buckets.indices { buckets[slot] = Bucket() }
            origin = nil
        } else {
            next = 0
            filled = 0
            running = Totals()
        }
    }

    private mutating func bucketIndex(at now: Instant) -> Int64 {
        guard let origin else {
            self.origin = now
            return 0
        }
        return max(0, wholeNanoseconds(origin.duration(to: now)) / bucketNanos)
    }
}
