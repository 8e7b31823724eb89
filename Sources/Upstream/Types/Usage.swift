/// Token usage of one answer, in the OpenAI shape (`usage`).
///
/// `promptTokens` counts every prompt token, cached ones included;
/// `completionTokens` counts every output token, reasoning ones included.
/// Answers from Anthropic are normalised to this convention.
public struct Usage: Sendable, Hashable, Codable, WireObject {
    /// Breakdown of the prompt tokens.
    public struct PromptDetails: Sendable, Hashable, Codable, WireObject {
        /// Prompt tokens read from the provider's cache (priced at the cached-input price).
        public var cachedTokens: Int?
        /// Audio prompt tokens.
        public var audioTokens: Int?
        /// Keys this type does not model, passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(cachedTokens: Int? = nil, audioTokens: Int? = nil, extras: [String: JSONValue] = [:]) {
            self.cachedTokens = cachedTokens
            self.audioTokens = audioTokens
            self.extras = extras
        }

        static let wire = WireKeys<PromptDetails>([
            .optional("cached_tokens", \.cachedTokens), .optional("audio_tokens", \.audioTokens),
        ])

        public init(from decoder: any Decoder) throws {
            self.init()
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// Breakdown of the completion tokens.
    public struct CompletionDetails: Sendable, Hashable, Codable, WireObject {
        /// Tokens the model spent reasoning (billed as output, not shown).
        public var reasoningTokens: Int?
        /// Audio output tokens.
        public var audioTokens: Int?
        /// Keys this type does not model (`accepted_prediction_tokens`, …), passed through unchanged.
        public var extras: [String: JSONValue]

        /// Creates a value; each parameter sets the property of the same name.
        public init(reasoningTokens: Int? = nil, audioTokens: Int? = nil, extras: [String: JSONValue] = [:]) {
            self.reasoningTokens = reasoningTokens
            self.audioTokens = audioTokens
            self.extras = extras
        }

        static let wire = WireKeys<CompletionDetails>([
            .optional("reasoning_tokens", \.reasoningTokens), .optional("audio_tokens", \.audioTokens),
        ])

        public init(from decoder: any Decoder) throws {
            self.init()
            try Self.wire.decode(decoder, into: &self)
        }

        public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
    }

    /// Prompt (input) tokens, cached ones included.
    public var promptTokens: Int
    /// Completion (output) tokens, reasoning ones included.
    public var completionTokens: Int
    /// Their sum.
    public var totalTokens: Int
    /// Prompt breakdown, when the upstream gives one.
    public var promptTokensDetails: PromptDetails?
    /// Completion breakdown, when the upstream gives one.
    public var completionTokensDetails: CompletionDetails?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cachedTokens: Int? = nil,
        reasoningTokens: Int? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens.addingSaturated(completionTokens)
        self.promptTokensDetails = cachedTokens.map { PromptDetails(cachedTokens: $0) }
        self.completionTokensDetails = reasoningTokens.map { CompletionDetails(reasoningTokens: $0) }
        self.extras = extras
    }

    /// Prompt tokens served from the cache (zero when the upstream did not say).
    public var cachedTokens: Int { promptTokensDetails?.cachedTokens ?? 0 }

    /// Reasoning tokens (zero when the upstream did not say).
    public var reasoningTokens: Int { completionTokensDetails?.reasoningTokens ?? 0 }

    static let wire = WireKeys<Usage>([
        .defaulted("prompt_tokens", \.promptTokens, 0), .defaulted("completion_tokens", \.completionTokens, 0),
        .defaulted("total_tokens", \.totalTokens) { $0.promptTokens.addingSaturated($0.completionTokens) },
        .optional("prompt_tokens_details", \.promptTokensDetails),
        .optional("completion_tokens_details", \.completionTokensDetails),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(promptTokens: 0, completionTokens: 0)
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}

extension Int {
    /// The sum, held at `.max` or `.min` instead of trapping: token counts come from upstreams,
    /// and an absurd count must not stop the process that adds them.
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
