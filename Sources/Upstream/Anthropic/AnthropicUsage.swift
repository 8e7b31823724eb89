/// Anthropic token usage: input tokens exclude cached ones, which are counted apart.
public struct AnthropicUsage: Sendable, Hashable, Codable {
    /// Uncached input tokens.
    public var inputTokens: Int
    /// Output tokens.
    public var outputTokens: Int
    /// Input tokens written to the cache.
    public var cacheCreationInputTokens: Int?
    /// Input tokens read from the cache.
    public var cacheReadInputTokens: Int?

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, cacheCreationInputTokens: Int? = nil,
        cacheReadInputTokens: Int? = nil
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try c.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 0
        outputTokens = try c.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
        cacheCreationInputTokens = try c.decodeIfPresent(Int.self, forKey: .cacheCreationInputTokens)
        cacheReadInputTokens = try c.decodeIfPresent(Int.self, forKey: .cacheReadInputTokens)
    }

    /// The same usage in the OpenAI convention: prompt tokens include cached ones.
    public var openAIUsage: Usage {
        let cacheRead = cacheReadInputTokens ?? 0
        let prompt = inputTokens.addingSaturated(cacheRead).addingSaturated(cacheCreationInputTokens ?? 0)
        return Usage(
            promptTokens: prompt, completionTokens: outputTokens,
            cachedTokens: cacheReadInputTokens == nil ? nil : cacheRead)
    }
}
