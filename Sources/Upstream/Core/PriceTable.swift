public import Canary

/// Prices per model, so that usage turns into spend per path and per model.
///
/// The defaults are public list prices for the four models the seed articles
/// compare (output prices as the seeds give them: gpt-4.1 $8, claude-sonnet-4.5
/// $15, gemini-2.5-flash $2.50, deepseek-v3.2 $0.42 per MTok; input and cached
/// prices from the providers' public price pages, late 2025). Negotiated or
/// relay prices differ: set them in the policy's `prices:` section, which
/// ``init(defaultsOverriddenBy:)`` lays over these.
///
/// Lookup is by exact model name first, then by the longest known prefix, so
/// that dated snapshots (`gpt-4.1-2025-04-14`) and vendor-prefixed names
/// (`openai/gpt-4.1`) find their base model.
public struct PriceTable: Sendable, Hashable, Codable {
    /// Prices by model name.
    public var prices: [String: ModelPrice]

    /// Creates a table from explicit prices.
    public init(_ prices: [String: ModelPrice]) {
        self.prices = prices
    }

    /// The list prices with `prices` (a policy's `prices:` section) added, `prices` winning.
    ///
    /// ```swift
    /// let table = PriceTable(defaultsOverriddenBy: policy.prices)
    /// ```
    public init(defaultsOverriddenBy prices: [String: ModelPrice]) {
        self = Self.defaults.merging(PriceTable(prices))
    }

    /// The seeds' four models at list price.
    public static let defaults = PriceTable([
        "gpt-4.1": ModelPrice(inputPerMTok: 2.00, outputPerMTok: 8.00, cachedInputPerMTok: 0.50),
        "claude-sonnet-4.5": ModelPrice(inputPerMTok: 3.00, outputPerMTok: 15.00, cachedInputPerMTok: 0.30),
        "gemini-2.5-flash": ModelPrice(inputPerMTok: 0.30, outputPerMTok: 2.50, cachedInputPerMTok: 0.075),
        "deepseek-v3.2": ModelPrice(inputPerMTok: 0.28, outputPerMTok: 0.42, cachedInputPerMTok: 0.028),
    ])

    /// The price for `model`, or `nil` when the table does not know it.
    public func price(for model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        let bare = model.split(separator: "/").last.map(String.init) ?? model
        if let exact = prices[bare] { return exact }
        var best: (key: String, price: ModelPrice)?
        for (key, price) in prices where bare.hasPrefix(key + "-") || bare.hasPrefix(key + "@") {
            if key.count > (best?.key.count ?? -1) { best = (key, price) }
        }
        return best?.price
    }

    /// The cost of one call, or `nil` when the model is not priced.
    public func cost(model: String, inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0) -> Double? {
        price(for: model)?.cost(
            inputTokens: inputTokens, outputTokens: outputTokens, cachedInputTokens: cachedInputTokens)
    }

    /// This table with `other`'s entries added, `other` winning on conflicts.
    public func merging(_ other: PriceTable) -> PriceTable {
        PriceTable(prices.merging(other.prices) { _, new in new })
    }
}
