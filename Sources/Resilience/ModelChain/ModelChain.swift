import Canary

/// An ordered list of models to try for one request, with one bound on attempts across all of them.
///
/// Each model has its own attempts (and, in ``ModelChainExecutor``, its own
/// circuit breaker). A failure of a class in ``advancesImmediatelyOn`` (by
/// default rate limits, server errors and connection failures: the model is
/// busy or down) moves to the next model at once; other retryable failures
/// (timeouts) are retried on the same model until its attempts are used.
/// ``maxTotalAttempts`` bounds the calls across the chain, so three retries
/// times four models never becomes twelve calls.
///
/// ```swift
/// var chain = ModelChain.default(for: .balanced)   // gemini-2.5-flash → gpt-4.1 → deepseek-v3.2
/// chain.maxTotalAttempts = 3
///
/// let custom = ModelChain([
///     .init("gpt-4.1", upstream: "openai", maxAttempts: 2),
///     .init("deepseek-v3.2", upstream: "deepseek"),
/// ])
/// ```
public struct ModelChain: Sendable, Hashable {
    /// One model of a chain.
    public struct Model: Sendable, Hashable, CustomStringConvertible {
        /// The model's name as the upstream knows it.
        public var name: String
        /// The upstream serving it (keys its retry budget and, with the name, its breaker).
        public var upstream: String
        /// Attempts on this model, counting the first. Default 2.
        public var maxAttempts: Int

        /// Creates a model entry.
        public init(_ name: String, upstream: String, maxAttempts: Int = 2) {
            self.name = name
            self.upstream = upstream
            self.maxAttempts = maxAttempts
        }

        public var description: String { "\(upstream)/\(name)" }
    }

    /// The models, in the order they are tried.
    public var models: [Model]
    /// Calls made across the whole chain, hedges included. Default 4.
    public var maxTotalAttempts: Int
    /// Failure classes that move to the next model without retrying this one.
    /// Default: rate limits, server errors, connection failures.
    public var advancesImmediatelyOn: Set<FailureClass>
    /// Whether a model whose upstream may have carried out the failed call (a timeout after the
    /// request was sent, an unreadable answer) is tried again. Default `false`: the chain moves
    /// to the next model instead of paying for the same answer twice.
    public var retriesPossiblyCompletedCalls: Bool

    /// Creates a chain.
    public init(
        _ models: [Model],
        maxTotalAttempts: Int = 4,
        advancesImmediatelyOn: Set<FailureClass> = [.rateLimited, .serverError, .connection],
        retriesPossiblyCompletedCalls: Bool = false
    ) {
        self.models = models
        self.maxTotalAttempts = maxTotalAttempts
        self.advancesImmediatelyOn = advancesImmediatelyOn
        self.retriesPossiblyCompletedCalls = retriesPossiblyCompletedCalls
    }

    /// The seeds' chain for a tier.
    ///
    /// - critical: gpt-4.1 → claude-sonnet-4.5 → gemini-2.5-flash → deepseek-v3.2
    /// - balanced: gemini-2.5-flash → gpt-4.1 → deepseek-v3.2
    /// - bulk: deepseek-v3.2 → gemini-2.5-flash
    public static func `default`(for tier: TaskTier) -> ModelChain {
        let gpt = Model("gpt-4.1", upstream: "openai")
        let claude = Model("claude-sonnet-4.5", upstream: "anthropic")
        let gemini = Model("gemini-2.5-flash", upstream: "google")
        let deepseek = Model("deepseek-v3.2", upstream: "deepseek")
        switch tier {
        case .critical: return ModelChain([gpt, claude, gemini, deepseek])
        case .balanced: return ModelChain([gemini, gpt, deepseek])
        case .bulk: return ModelChain([deepseek, gemini], maxTotalAttempts: 3)
        }
    }

    /// Checks that the chain can work.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` for an empty chain, a model
    ///   with fewer than one attempt, or `maxTotalAttempts < 1`.
    public func validate() throws(ResilienceError) {
        guard !models.isEmpty else { throw .invalid("a model chain needs at least one model") }
        guard maxTotalAttempts >= 1 else { throw .invalid("maxTotalAttempts must be ≥ 1, got \(maxTotalAttempts)") }
        for model in models where model.maxAttempts < 1 {
            throw .invalid("model \(model) needs maxAttempts ≥ 1, got \(model.maxAttempts)")
        }
    }
}
