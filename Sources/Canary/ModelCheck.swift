/// One model's row in a verdict: its calls on both paths and, when it was judged, its own comparison.
///
/// The scorer judges a model apart when both paths served it with at least
/// ``HealthScorer/Configuration/PerModel/minSamples`` judged calls each. Its comparison can only
/// *name* a failing model (``outcome`` `fail` makes the verdict unhealthy with
/// ``HealthReason/Code/modelBelowBaseline``); a model too rare to be shown healthy on its own
/// never holds the ramp, since the stratified success check judges every model together.
public struct ModelCheck: Sendable, Hashable, Codable {
    /// The model's name, or `other` for the models outside the top N.
    public var model: String
    /// Whether this is the `other` row.
    public var isOther: Bool = false
    /// The model's calls on legacy.
    public var legacy: ModelCounts
    /// The model's calls on the relay.
    public var relay: ModelCounts
    /// Pass, fail or inconclusive; `nil` when the model was not judged (see ``note``).
    public var outcome: CheckResult.Outcome?
    /// The bounds on `relay − legacy` for this model, when it was judged.
    public var lower: Double?
    public var upper: Double?
    /// Why the model was not judged, when it was not.
    public var note: String?

    /// One phrase with the numbers: `gpt-4.1: relay 70.0% of 15 vs legacy 99.5% of 285`.
    public var rates: String {
        "\(model): relay \(percent(relay.successRate ?? 0)) of \(relay.judged) vs legacy "
            + "\(percent(legacy.successRate ?? 0)) of \(legacy.judged)"
    }
}
