/// Exponential back-off with a cap applied before jitter.
///
/// A pure value: ``delay(forRetry:previous:using:)`` takes the generator, so the
/// same seed gives the same delays. The executors keep the previous delay for
/// decorrelated jitter.
///
/// ```swift
/// var rng = SeededGenerator(seed: 7)
/// let backoff = Backoff()   // 500 ms · 2ⁿ, capped at 20 s, full jitter
/// let first = backoff.delay(forRetry: 1, previous: nil, using: &rng)   // in 0 ... 500 ms
/// let second = backoff.delay(forRetry: 2, previous: first, using: &rng) // in 0 ... 1 s
/// ```
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry, before jitter. Default 500 ms.
    public var initial: Duration
    /// The growth factor per retry. Default 2.
    public var multiplier: Double
    /// The cap, applied before jitter: no delay is ever longer. Default 20 s.
    public var maximum: Duration
    /// How randomness is mixed in. Default ``Jitter/full``.
    public var jitter: Jitter

    /// Creates a back-off.
    ///
    /// - Parameters:
    ///   - initial: the delay before the first retry, before jitter (default 500 ms).
    ///   - multiplier: the growth factor per retry (default 2).
    ///   - maximum: the cap, applied before jitter (default 20 s).
    ///   - jitter: the jitter variant (default ``Jitter/full``).
    public init(
        initial: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maximum: Duration = .seconds(20),
        jitter: Jitter = .full
    ) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Checks that the back-off can work.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when `initial` is not
    ///   positive, `maximum < initial`, or `multiplier < 1` (or not finite).
    public func validate() throws(ResilienceError) {
        guard initial > .zero else { throw .invalid("backoff initial delay must be positive, got \(initial)") }
        guard maximum >= initial else {
            throw .invalid("backoff maximum (\(maximum)) must be at least the initial delay (\(initial))")
        }
        guard multiplier.isFinite, multiplier >= 1 else {
            throw .invalid("backoff multiplier must be a finite number ≥ 1, got \(multiplier)")
        }
    }

    /// The capped exponential delay before the `retry`-th retry, before jitter.
    ///
    /// - Parameter retry: 1 for the first retry (the second attempt).
    public func cappedDelay(forRetry retry: Int) -> Duration {
        let capNanos = wholeNanoseconds(maximum)
        let raw = Double(wholeNanoseconds(initial)) * integerPower(multiplier, max(0, retry - 1))
        // Cap before converting back: the raw value may be astronomically large (or infinite).
        guard raw < Double(capNanos) else { return .nanoseconds(capNanos) }
        return .nanoseconds(min(capNanos, Int64(raw)))
    }

    /// The delay before the `retry`-th retry.
    ///
    /// - Parameters:
    ///   - retry: 1 for the first retry (the second attempt).
    ///   - previous: the delay used before the previous retry (only decorrelated jitter reads it;
    ///     `nil` for the first retry).
    ///   - generator: the source of randomness.
    /// - Returns: a delay within the bounds of ``jitter`` and never above ``maximum``.
    public func delay(
        forRetry retry: Int,
        previous: Duration?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let capNanos = wholeNanoseconds(maximum)
        switch jitter {
        case .none:
            return cappedDelay(forRetry: retry)
        case .full:
            let capped = wholeNanoseconds(cappedDelay(forRetry: retry))
            return .nanoseconds(Int64.random(in: 0...capped, using: &generator))
        case .equal:
            let capped = wholeNanoseconds(cappedDelay(forRetry: retry))
            let half = capped / 2
            return .nanoseconds(half + Int64.random(in: 0...(capped - half), using: &generator))
        case .decorrelated:
            let base = min(wholeNanoseconds(initial), capNanos)
            let previousNanos = max(base, previous.map(wholeNanoseconds) ?? base)
            // 3 · previous, saturating, then capped: the draw never leaves [base, cap].
            let (tripled, overflow) = previousNanos.multipliedReportingOverflow(by: 3)
            let upper = overflow ? capNanos : min(capNanos, tripled)
            return .nanoseconds(Int64.random(in: base...max(base, upper), using: &generator))
        }
    }
}

/// `duration` in whole nanoseconds, saturating at `Int64.min` and `Int64.max` (a function, not
/// an extension of the standard library's `Duration`).
func wholeNanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return seconds < 0 ? .min : .max }
    let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
    return overflow2 ? (seconds < 0 ? .min : .max) : sum
}

/// `base` to an integral power by repeated squaring (no Foundation needed), saturating at infinity.
func integerPower(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    var factor = base
    var n = exponent
    while n > 0 {
        if n & 1 == 1 { result *= factor }
        factor *= factor
        n >>= 1
        if result.isInfinite { return result }
    }
    return result
}
