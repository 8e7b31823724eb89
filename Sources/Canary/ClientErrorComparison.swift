/// The scorer's comparison of client errors (4xx: 400, 404, 409, 413, 422, …) on both paths.
///
/// Client errors are the caller's doing and stay out of the success rate. But the same
/// traffic draws the same share of them from either path: a relay that answers 404 to
/// everything (a URL missing `/v1`) or rejects a parameter legacy accepts shows up here, and
/// only here, since none of its calls is judged. The relay fails the comparison when its
/// share exceeds legacy's by more than ``HealthScorer/Configuration/clientErrorExcess`` with
/// confidence (the lower bound of Newcombe's interval for `relay − legacy` is above it).
///
/// It is not one of ``HealthReason/checks`` (whose ``CheckResult/Check`` names are a closed
/// set the operator tools list); a failing comparison is the verdict's reason
/// ``HealthReason/Code/clientErrorsAboveBaseline``.
public struct ClientErrorComparison: Sendable, Hashable, Codable {
    /// Pass, fail, or not yet decidable.
    public var outcome: CheckResult.Outcome
    /// The relay's client errors over its answered calls (judged calls plus client errors).
    public var relayShare: Double
    /// Legacy's client errors over its answered calls.
    public var baselineShare: Double
    /// The relay's answered calls.
    public var relayAnswered: Int
    /// Legacy's answered calls.
    public var baselineAnswered: Int
    /// How far the relay's share may exceed legacy's.
    public var threshold: Double
    /// The confidence bound that decided (the lower bound on `relay − legacy`), when one was computed.
    public var bound: Double?
    /// A sentence with the numbers.
    public var detail: String
}
