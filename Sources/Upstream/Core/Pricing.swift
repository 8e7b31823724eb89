import Canary

/// Turns usage into dollars for an answer.
enum Pricing {
    /// Prices by the model that answered, falling back to the model asked for (Anthropic's
    /// `claude-sonnet-4-5-20250929` is priced as the requested `claude-sonnet-4.5`).
    static func cost(_ usage: Usage, answeredModel: String, requestedModel: String, _ prices: PriceTable) -> Double? {
        usage.cost(model: answeredModel, prices: prices) ?? usage.cost(model: requestedModel, prices: prices)
    }
}
