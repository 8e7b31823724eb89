/// A log-linear latency histogram in microseconds that can be added to *and subtracted from*.
///
/// Values below 128 µs are exact; above, each power of two is cut into 64
/// sub-buckets, so every recorded value is known to within 1/64 (≈1.6%), from
/// 1 µs to over an hour, in 1,792 counters. Subtraction is what makes the
/// rolling window cheap: the window keeps a running total and subtracts a
/// bucket when it expires, so reading the window's percentiles costs one pass
/// over 1,792 counters instead of merging sixty histograms. (HdrHistogram,
/// which we would otherwise use, has no subtraction.)
///
/// ```swift
/// var h = LatencyHistogram()
/// h.record(.milliseconds(420))
/// h.percentile(95)   // ≈ 420 ms
/// ```
public struct LatencyHistogram: Sendable, Hashable {
    static let exactLimit: UInt64 = 128
    static let subBuckets = 64
    static let maxMagnitude = 32
    static let counterCount = Int(exactLimit) + (maxMagnitude - 6) * subBuckets
    /// The largest value kept apart (about 71 minutes); larger values are clamped to it.
    public static let maxMicroseconds: UInt64 = (1 << UInt64(maxMagnitude + 1)) - 1

    private var counts: [UInt32]
    /// Values recorded.
    public private(set) var totalCount: Int = 0

    /// An empty histogram.
    public init() {
        counts = Array(repeating: 0, count: Self.counterCount)
    }

    @inline(__always)
    static func index(ofMicros value: UInt64) -> Int {
        let v = min(value, maxMicroseconds)
        if v < exactLimit { return Int(v) }
        let magnitude = 63 - v.leadingZeroBitCount  // ≥ 7
        let shift = magnitude - 6
        let top = Int(v >> UInt64(shift))  // 64...127
        return Int(exactLimit) + (magnitude - 7) * subBuckets + (top - subBuckets)
    }

    /// The middle of a counter's value range, in microseconds.
    static func value(atIndex index: Int) -> UInt64 {
        if index < Int(exactLimit) { return UInt64(index) }
        let offset = index - Int(exactLimit)
        let magnitude = 7 + offset / subBuckets
        let top = UInt64(subBuckets + offset % subBuckets)
        let shift = UInt64(magnitude - 6)
        let low = top << shift
        let width = UInt64(1) << shift
        return low + width / 2
    }

    /// Records one duration.
    @inline(__always)
    public mutating func record(_ duration: Duration) {
        record(micros: Self.micros(duration))
    }

    /// Whole microseconds of a duration, 0 for negative ones.
    ///
    /// `Duration / Duration` is a floating-point division; `Duration.components`
    /// would be a 128-bit integer division, several times slower on the hot path.
    @inline(__always)
    static func micros(_ duration: Duration) -> UInt64 {
        let micros = duration / .microseconds(1)
        return micros > 0 ? UInt64(min(micros, Double(maxMicroseconds))) : 0
    }

    @inline(__always)
    mutating func record(micros: UInt64) {
        counts[Self.index(ofMicros: micros)] &+= 1
        totalCount += 1
    }

    mutating func add(count: UInt32, atIndex index: Int) {
        counts[index] &+= count
        totalCount += Int(count)
    }

    /// The counters that are not zero, with their counts (for sparse coding).
    var nonZeroCounters: [(Int, UInt32)] {
        counts.indices.compactMap { counts[$0] == 0 ? nil : ($0, counts[$0]) }
    }

    /// Adds every count of `other`.
    public mutating func add(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        for i in counts.indices where other.counts[i] != 0 { counts[i] &+= other.counts[i] }
        totalCount += other.totalCount
    }

    /// Removes every count of `other`, which must have been added before.
    public mutating func subtract(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        for i in counts.indices where other.counts[i] != 0 { counts[i] &-= other.counts[i] }
        totalCount -= other.totalCount
    }

    /// The value at a percentile (0…100), or `nil` when empty.
    public func percentile(_ p: Double) -> Duration? {
        guard totalCount > 0 else { return nil }
        let rank = max(1, Int((p / 100 * Double(totalCount)).rounded(.up)))
        var seen = 0
        for (i, count) in counts.enumerated() where count != 0 {
            seen += Int(count)
            if seen >= rank { return .microseconds(Int64(Self.value(atIndex: i))) }
        }
        return .microseconds(Int64(Self.value(atIndex: counts.count - 1)))
    }

    /// How many values lie in counters entirely above `threshold`.
    ///
    /// Values in the counter that contains the threshold are not counted: at 1.6%
    /// resolution they are "equal" to it.
    public func count(above threshold: Duration) -> Int {
        let first = Self.index(ofMicros: Self.micros(threshold)) + 1
        guard first < counts.count else { return 0 }
        var total = 0
        for i in first..<counts.count { total += Int(counts[i]) }
        return total
    }
}
