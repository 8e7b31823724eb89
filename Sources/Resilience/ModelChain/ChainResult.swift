/// The answer of a model chain: the value, which model gave it, and everything that was tried.
///
/// ```swift
/// let result = try await executor.execute { model, _ in try await client.complete(request, model: model.name) }
/// log.info("answered by \(result.model) after \(result.attempts.count) attempts, hedged: \(result.hedged)")
/// ```
public struct ChainResult<Value: Sendable>: Sendable {
    /// The value of the winning attempt.
    public var value: Value
    /// The model that answered.
    public var model: String
    /// The upstream that answered.
    public var upstream: String
    /// Every attempt in the order they started, the winner included, breaker rejections and
    /// abandoned hedges too.
    public var attempts: [AttemptRecord]
    /// Whether a hedge was started.
    public var hedged: Bool

    /// The calls that reached an upstream (breaker rejections excluded).
    public var callsMade: Int { attempts.filter(\.madeCall).count }
}
