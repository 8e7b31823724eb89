/// Which provider the mock impersonates where the two wire formats share a path (`GET /v1/models`).
///
/// Both `POST /v1/chat/completions` (OpenAI) and `POST /v1/messages`
/// (Anthropic) are always served; the flavor picks the model list's shape and
/// default names.
public enum MockFlavor: String, Sendable, Hashable, CaseIterable, Codable {
    /// An OpenAI-compatible upstream (OpenAI, or a relay).
    case openai
    /// Anthropic's Messages API.
    case anthropic

    /// The models `GET /v1/models` lists.
    public var models: [String] {
        switch self {
        case .openai: ["gpt-4.1", "gpt-4.1-mini", "gemini-2.5-flash", "deepseek-v3.2", "claude-sonnet-4.5"]
        case .anthropic: ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
        }
    }
}
