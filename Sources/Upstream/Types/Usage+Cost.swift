public import Canary

extension Usage {
    /// The cost of this usage in US dollars, or `nil` when the table does not price `model`.
    ///
    /// Cached prompt tokens are charged at the model's cached-input price when the
    /// table has one, every other prompt token at the input price, and every
    /// completion token (reasoning included) at the output price.
    ///
    /// ```swift
    /// let usage = Usage(promptTokens: 1_000, completionTokens: 500, cachedTokens: 200)
    /// usage.cost(model: "gpt-4.1", prices: .defaults)
    /// // (800 × 2.00 + 200 × 0.50 + 500 × 8.00) / 1e6 = 0.0057
    /// ```
    ///
    /// - Parameters:
    ///   - model: the model that answered (dated snapshots and `vendor/` prefixes find their base price).
    ///   - prices: the price table, normally the rollout policy's `prices:` over ``PriceTable/defaults``.
    /// - Returns: dollars, or `nil` for an unpriced model.
    public func cost(model: String, prices: PriceTable) -> Double? {
        prices.cost(
            model: model, inputTokens: promptTokens, outputTokens: completionTokens, cachedInputTokens: cachedTokens)
    }
}
