/// Token usage of one answer, in the OpenAI shape (`usage`).
///
/// `promptTokens` counts every prompt token, cached ones included;
/// `completionTokens` counts every output token, reasoning ones included.
/// Answers from Anthropic are normalised to this convention.
public struct Usage: Sendable, Hashable, Codable {
    /// Breakdown of the prompt tokens.
    public struct PromptDetails: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case cachedTokens = "cached_tokens"
            case audioTokens = "audio_tokens"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cachedTokens = try c.decodeIfPresent(Int.self, forKey: .cachedTokens)
            audioTokens = try c.decodeIfPresent(Int.self, forKey: .audioTokens)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(cachedTokens, forKey: .cachedTokens)
            try c.encodeIfPresent(audioTokens, forKey: .audioTokens)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
    }

    /// Breakdown of the completion tokens.
    public struct CompletionDetails: Sendable, Hashable, Codable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case reasoningTokens = "reasoning_tokens"
            case audioTokens = "audio_tokens"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reasoningTokens = try c.decodeIfPresent(Int.self, forKey: .reasoningTokens)
            audioTokens = try c.decodeIfPresent(Int.self, forKey: .audioTokens)
            extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(reasoningTokens, forKey: .reasoningTokens)
            try c.encodeIfPresent(audioTokens, forKey: .audioTokens)
            try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
        }
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
        self.totalTokens = totalTokens ?? promptTokens + completionTokens
        self.promptTokensDetails = cachedTokens.map { PromptDetails(cachedTokens: $0) }
        self.completionTokensDetails = reasoningTokens.map { CompletionDetails(reasoningTokens: $0) }
        self.extras = extras
    }

    /// Prompt tokens served from the cache (zero when the upstream did not say).
    public var cachedTokens: Int { promptTokensDetails?.cachedTokens ?? 0 }

    /// Reasoning tokens (zero when the upstream did not say).
    public var reasoningTokens: Int { completionTokensDetails?.reasoningTokens ?? 0 }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens + completionTokens
        promptTokensDetails = try c.decodeIfPresent(PromptDetails.self, forKey: .promptTokensDetails)
        completionTokensDetails = try c.decodeIfPresent(CompletionDetails.self, forKey: .completionTokensDetails)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encodeIfPresent(promptTokensDetails, forKey: .promptTokensDetails)
        try c.encodeIfPresent(completionTokensDetails, forKey: .completionTokensDetails)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
