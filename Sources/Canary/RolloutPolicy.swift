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
    /// Prices per model (the seeds' defaults, overridden by the file's `prices:`).
    public var prices: PriceTable
    /// Model fallback chains by task tier (`critical`, `balanced`, `bulk`, …).
    public var chains: [String: [String]]

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
        prices: PriceTable = .defaults,
        chains: [String: [String]] = RolloutPolicy.defaultChains
    ) {
        self.rolloutID = rolloutID
        self.ramp = ramp
        self.health = health
        self.window = window
        self.prices = prices
        self.chains = chains
    }
}
