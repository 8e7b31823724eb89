/// The wire format of an upstream.
public enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI chat completions (OpenAI itself, and every OpenAI-compatible relay).
    case openAICompatible = "openai"
    /// Anthropic's Messages API.
    case anthropic
}
