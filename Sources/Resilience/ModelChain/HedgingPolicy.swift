/// Whether, and after how long, a call starts one more attempt on the next model while the first runs.
///
/// Off by default. When on, if the first attempt has not answered after the
/// delay, one hedge starts on the next model of the chain whose breaker lets
/// it through; the first success wins and the other attempt is cancelled. The
/// hedge counts against ``ModelChain/maxTotalAttempts`` and needs its
/// upstream's retry budget, so hedging never multiplies an outage. No hedge
/// starts once an attempt has committed a stream.
///
/// ```swift
/// let fixed = HedgingPolicy.after(.fixed(.seconds(2)))
/// let adaptive = HedgingPolicy.after(.observedP95(fallback: .seconds(3)) { model in
///     latencies.p95(for: model.upstream)   // nil until enough samples
/// })
/// ```
public struct HedgingPolicy: Sendable {
    /// How long the first attempt runs alone.
    public enum Delay: Sendable {
        /// A fixed delay.
        case fixed(Duration)
        /// The observed p95 latency of the first attempt's model/upstream, from `provider`;
        /// `fallback` while it has no answer.
        case observedP95(fallback: Duration, provider: @Sendable (ModelChain.Model) -> Duration?)
    }

    /// Whether hedging is on.
    public var isEnabled: Bool
    /// The delay before the hedge.
    public var delay: Delay

    /// No hedging (the default).
    public static let off = HedgingPolicy(isEnabled: false, delay: .fixed(.zero))

    /// Hedging after `delay`.
    public static func after(_ delay: Delay) -> HedgingPolicy {
        HedgingPolicy(isEnabled: true, delay: delay)
    }

    /// The delay before hedging an attempt on `model`.
    public func delay(for model: ModelChain.Model) -> Duration {
        switch delay {
        case .fixed(let duration): duration
        case .observedP95(let fallback, let provider): provider(model) ?? fallback
        }
    }
}
