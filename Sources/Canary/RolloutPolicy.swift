/// Everything a rollout is configured by: one `policies/*.yaml` file.
///
/// ```swift
/// let policy = try RolloutPolicy.load(file: "policies/default.yaml")
/// policy.ramp.ladder          // [5, 7.5, 11.25, …, 100]
/// policy.health.confidence    // 0.99
/// ```
public struct RolloutPolicy: Sendable, Hashable, Codable {
    /// The rollout's id: part of every routing key's hash, so a new id reshuffles users.
    public var rolloutID: String
    /// How the canary percentage moves.
    public var ramp: RampPolicy
    /// How the relay is judged.
    public var health: HealthScorer.Configuration
    /// The rolling window the scorer reads.
    public var window: WindowConfiguration
    /// The file's `prices:` section: dollars per million tokens by model, laid over the vendors'
    /// list prices (Upstream's `PriceTable(defaultsOverriddenBy:)`). Empty by default.
    public var prices: [String: ModelPrice]
    /// Model fallback chains by task tier (`critical`, `balanced`, `bulk`, …).
    public var chains: [String: [String]]
    /// Hedging of tier calls on the relay: `nil` (the default) never hedges.
    public var hedging: HedgingSettings?
    /// The shadow phase before the first step (`shadow:`), or `nil` to start at the first step.
    /// Setting it makes the ramp start in ``RampPhase/shadowing``.
    public var shadow: ShadowPolicy? {
        didSet { ramp.startsWithShadow = shadow != nil }
    }

    /// The seeds' tiers: critical starts at gpt-4.1, balanced at gemini-2.5-flash, bulk at deepseek-v3.2.
    public static let defaultChains: [String: [String]] = [
        "critical": ["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"],
        "balanced": ["gemini-2.5-flash", "gpt-4.1", "deepseek-v3.2"],
        "bulk": ["deepseek-v3.2", "gemini-2.5-flash"],
    ]

    /// Creates a policy; the defaults are those of `policies/default.yaml`.
    public init(
        rolloutID: String = "default",
        ramp: RampPolicy = .init(),
        health: HealthScorer.Configuration = .init(),
        window: WindowConfiguration = .init(),
        prices: [String: ModelPrice] = [:],
        chains: [String: [String]] = RolloutPolicy.defaultChains,
        hedging: HedgingSettings? = nil,
        shadow: ShadowPolicy? = nil
    ) {
        self.rolloutID = rolloutID
        self.ramp = ramp
        self.health = health
        self.window = window
        self.prices = prices
        self.chains = chains
        self.hedging = hedging
        self.shadow = shadow
        self.ramp.startsWithShadow = shadow != nil
    }
}

/// When a tier call on the relay, its first model still silent, starts a second attempt on the
/// next model of its chain; the first answer wins and the other is cancelled.
public struct HedgingSettings: Sendable, Hashable, Codable {
    /// How long the first attempt has before the hedge starts.
    public enum Delay: Sendable, Hashable, Codable {
        /// A fixed delay.
        case fixed(Duration)
        /// The relay's observed p95 latency over the window, `fallback` until it has one.
        case relayP95(fallback: Duration)
    }

    /// How long the first attempt has before the hedge starts.
    public var delay: Delay

    /// Creates settings.
    public init(delay: Delay) {
        self.delay = delay
    }
}
