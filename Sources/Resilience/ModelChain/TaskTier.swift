/// How much a request matters, which picks its model fallback chain.
///
/// ```swift
/// let chain = ModelChain.default(for: .critical)   // gpt-4.1 → claude-sonnet-4.5 → …
/// ```
public enum TaskTier: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The best model first, then equally capable ones: gpt-4.1 → claude-sonnet-4.5 →
    /// gemini-2.5-flash → deepseek-v3.2.
    case critical
    /// Fast and cheap first: gemini-2.5-flash → gpt-4.1 → deepseek-v3.2.
    case balanced
    /// Cheapest first: deepseek-v3.2 → gemini-2.5-flash.
    case bulk

    public var description: String { rawValue }
}
