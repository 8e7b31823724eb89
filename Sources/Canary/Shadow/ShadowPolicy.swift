/// `shadow:` in a policy: before its first step, the rollout sends a sample of legacy's calls to
/// the relay as well and compares the answers, so the relay is judged before any user sees it.
public struct ShadowPolicy: Sendable, Hashable, Codable {
    /// The share of legacy calls also sent to the relay. Default 0.05.
    public var sampleRate: Double
    /// Pairs needed before the phase can end. Default 200.
    public var minPairs: Int
    /// The share of pairs that must agree, judged by the lower confidence bound (the policy's
    /// `health.confidence`) of the observed share. Default 0.9.
    public var minAgreement: Double
    /// Token-set overlap (Jaccard) at or above which two different texts agree. Default 0.5.
    public var textSimilarity: Double
    /// The most the shadow calls may spend per hour, in US dollars at the policy's prices; past
    /// it, shadowing pauses until the hour's spend falls below. `nil`: no cap. Default 5.
    public var maxSpendPerHour: Double?
    /// Whether the status keeps one example pair's text per failing comparison. Default false:
    /// only the request id is kept, never the prompt or the answers.
    public var keepExamples: Bool

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        sampleRate: Double = 0.05, minPairs: Int = 200, minAgreement: Double = 0.9, textSimilarity: Double = 0.5,
        maxSpendPerHour: Double? = 5, keepExamples: Bool = false
    ) {
        self.sampleRate = sampleRate
        self.minPairs = minPairs
        self.minAgreement = minAgreement
        self.textSimilarity = textSimilarity
        self.maxSpendPerHour = maxSpendPerHour
        self.keepExamples = keepExamples
    }
}
