/// One check of the scorer.
public struct CheckResult: Sendable, Hashable, Codable {
    /// Which check.
    public enum Check: String, Sendable, Hashable, Codable {
        case sampleSize
        case successVsBaseline
        /// Each model both paths serve, against the same model on legacy (see ``HealthScorer``).
        case successByModel
        case absoluteFloor
        case latencyVsBaseline
        case latencyCeiling

        var failureCode: HealthReason.Code {
            switch self {
            case .sampleSize: .insufficientData
            case .successVsBaseline: .successRateBelowBaseline
            case .successByModel: .modelBelowBaseline
            case .absoluteFloor: .belowAbsoluteFloor
            case .latencyVsBaseline: .latencyAboveBaseline
            case .latencyCeiling: .latencyAboveCeiling
            }
        }
    }

    /// Pass, fail, or not yet decidable.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pass, fail, inconclusive
    }

    public var check: Check
    public var outcome: Outcome
    /// The relay's figure (rate, or p95 in seconds).
    public var relayValue: Double
    /// The baseline's figure, when the check compares.
    public var baselineValue: Double?
    /// The limit (rate, difference, or seconds).
    public var threshold: Double
    /// The confidence bound that decided, when one did.
    public var bound: Double?
    /// A sentence with the numbers.
    public var detail: String
}
