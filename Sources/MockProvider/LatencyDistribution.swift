import Canary

/// A latency distribution: fixed, or log-normal through a median and a 95th percentile.
public struct LatencyDistribution: Sendable, Hashable {
    /// The median.
    public var p50: Duration
    /// The 95th percentile (equal to `p50` for a fixed latency).
    public var p95: Duration

    /// A log-normal distribution with this median and 95th percentile.
    public init(p50: Duration, p95: Duration) {
        self.p50 = p50
        self.p95 = max(p50, p95)
    }

    /// A fixed latency.
    public static func fixed(_ latency: Duration) -> LatencyDistribution { .init(p50: latency, p95: latency) }

    /// No latency at all.
    public static let zero = LatencyDistribution.fixed(.zero)

    /// Draws one latency. Always consumes two random numbers, so draws stay aligned across phases.
    public func sample(using generator: inout some RandomNumberGenerator) -> Duration {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        let median = inSeconds(p50)
        guard median > 0, p95 > p50 else { return p50 }
        let sigma = log(inSeconds(p95) / median) / 1.644_853_626_951_472
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        let seconds = min(median * exp(sigma * z), inSeconds(p95) * 20)
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
