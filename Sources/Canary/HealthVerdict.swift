/// The scorer's answer.
public struct HealthVerdict: Sendable, Hashable, Codable {
    /// The three verdicts.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Not enough evidence either way: the ramp holds.
        case insufficientData
        /// The relay is fit for more traffic.
        case healthy
        /// The relay is worse than allowed: the ramp acts by policy.
        case unhealthy
    }

    /// The verdict.
    public var kind: Kind
    /// A display score in 0…1 (0.5 = no verdict).
    public var score: Double
    /// Why.
    public var reason: HealthReason

    /// Creates a verdict (the scorer makes them; tests and replays may too).
    public init(kind: Kind, score: Double, reason: HealthReason) {
        self.kind = kind
        self.score = score
        self.reason = reason
    }
}
