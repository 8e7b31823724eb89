/// The price of one model, in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    /// Price of one million prompt (input) tokens.
    public var inputPerMTok: Double
    /// Price of one million completion (output) tokens.
    public var outputPerMTok: Double
    /// Price of one million prompt tokens served from the provider's cache, when it prices them apart.
    public var cachedInputPerMTok: Double?

    /// Creates a price.
    public init(inputPerMTok: Double, outputPerMTok: Double, cachedInputPerMTok: Double? = nil) {
        self.inputPerMTok = inputPerMTok
        self.outputPerMTok = outputPerMTok
        self.cachedInputPerMTok = cachedInputPerMTok
    }

    /// The cost of one call in US dollars.
    ///
    /// - Parameters:
    ///   - inputTokens: all prompt tokens, cached ones included (the OpenAI `prompt_tokens` convention).
    ///   - outputTokens: completion tokens (reasoning tokens included, as providers bill them).
    ///   - cachedInputTokens: the part of `inputTokens` read from the cache.
    /// - Returns: dollars; cached tokens are charged at the cached price when one is set, else at the input price.
    ///
    /// ```swift
    /// let price = ModelPrice(inputPerMTok: 2, outputPerMTok: 8)
    /// price.cost(inputTokens: 1_000, outputTokens: 500)  // 0.002 + 0.004 = 0.006
    /// ```
    public func cost(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0) -> Double {
        let cached = min(max(cachedInputTokens, 0), max(inputTokens, 0))
        let uncached = max(inputTokens, 0) - cached
        let cachedPrice = cachedInputPerMTok ?? inputPerMTok
        return
            (Double(uncached) * inputPerMTok + Double(cached) * cachedPrice
            + Double(max(outputTokens, 0)) * outputPerMTok) / 1_000_000
    }
}
