import Canary

/// What happened to one attempt of a call: which model, how it ended, how long it took.
///
/// ```swift
/// let result = try await executor.execute { model, context in try await call(model.name) }
/// for record in result.attempts { print(record) }   // "gpt-4.1: rateLimited in 0.2 s", …
/// ```
public struct AttemptRecord: Sendable, Hashable, CustomStringConvertible {
    /// How an attempt ended.
    public enum Outcome: Sendable, Hashable {
        /// It answered.
        case succeeded
        /// It failed with this class.
        case failed(FailureClass)
        /// The model's circuit breaker rejected it: no call was made.
        case rejectedByBreaker
        /// It lost a hedge race (or another attempt committed) and was cancelled.
        case abandoned
    }

    /// The model called.
    public var model: String
    /// The upstream serving the model.
    public var upstream: String
    /// How it ended.
    public var outcome: Outcome
    /// How long it ran (zero when rejected by the breaker).
    public var duration: Duration
    /// Whether it was a hedge.
    public var isHedge: Bool = false

    /// The failure class, `nil` for a success, `.cancelled` for an abandoned hedge,
    /// `.serverError` for a breaker rejection (the upstream is considered down).
    public var failureClass: FailureClass? {
        switch outcome {
        case .succeeded: nil
        case .failed(let failureClass): failureClass
        case .rejectedByBreaker: .serverError
        case .abandoned: .cancelled
        }
    }

    /// Whether a call reached the upstream.
    public var madeCall: Bool { outcome != .rejectedByBreaker }

    var summary: String {
        switch outcome {
        case .succeeded: "\(model): ok"
        case .failed(let failureClass): "\(model): \(failureClass.rawValue)"
        case .rejectedByBreaker: "\(model): circuit open"
        case .abandoned: "\(model): abandoned"
        }
    }

    public var description: String {
        "\(summary)\(isHedge ? " (hedge)" : "") in \(duration)"
    }
}
