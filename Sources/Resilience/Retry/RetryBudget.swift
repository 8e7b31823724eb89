import Synchronization

/// A retry budget per upstream: gRPC's retry throttling (gRFC A6), lock-free.
///
/// The bucket starts full at `maxTokens`. Every retryable failure takes one
/// token, every success gives back `tokenRatio`, never above `maxTokens`.
/// Retries are allowed only while more than half the tokens remain, so during
/// an outage the bucket drains and calls fail fast (or fail over) instead of
/// multiplying the load; it refills as successes come back. First attempts are
/// never throttled.
///
/// Tokens are kept in thousandths (gRPC keeps three decimal places of
/// `tokenRatio`) in one atomic integer, so checks cost a load and updates a
/// compare-and-swap.
///
/// ```swift
/// let budget = try RetryBudget(maxTokens: 10, tokenRatio: 0.1)
/// for _ in 0..<5 { budget.recordFailure() }
/// budget.allowsRetry   // false: 5 tokens left is not more than half of 10
/// budget.recordSuccess()
/// budget.allowsRetry   // true: 5.1 > 5
/// ```
public final class RetryBudget: Sendable {
    private static let scale = 1000

    /// The bucket's capacity.
    public let maxTokens: Double
    /// Tokens given back per success.
    public let tokenRatio: Double

    private let maxMilli: Int
    private let ratioMilli: Int
    private let thresholdMilli: Int
    private let milliTokens: Atomic<Int>
    private let deniedRetries = Atomic<Int>(0)

    /// Creates a full budget.
    ///
    /// - Parameters:
    ///   - maxTokens: the capacity, in `(0, 1000]` (gRPC's range). Default 10.
    ///   - tokenRatio: tokens returned per success, in `(0, maxTokens]`, three decimals kept. Default 0.1.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` outside those ranges.
    public convenience init(maxTokens: Double = 10, tokenRatio: Double = 0.1) throws(ResilienceError) {
        guard maxTokens > 0, maxTokens <= 1000 else {
            throw .invalid("retry budget maxTokens must be in (0, 1000], got \(maxTokens)")
        }
        guard tokenRatio.isFinite, tokenRatio >= 0.001, tokenRatio <= maxTokens else {
            throw .invalid("retry budget tokenRatio must be in [0.001, maxTokens], got \(tokenRatio)")
        }
        self.init(checked: maxTokens, tokenRatio: tokenRatio)
    }

    /// A full budget with the default settings (10 tokens, 0.1 per success): gRPC's defaults,
    /// valid by construction, so nothing to throw.
    public static func standard() -> RetryBudget {
        RetryBudget(checked: 10, tokenRatio: 0.1)
    }

    /// A budget whose settings were checked (or are the defaults).
    private init(checked maxTokens: Double, tokenRatio: Double) {
        self.maxTokens = maxTokens
        self.tokenRatio = tokenRatio
        self.maxMilli = Int((maxTokens * Double(Self.scale)).rounded())
        self.ratioMilli = Int((tokenRatio * Double(Self.scale)).rounded(.down))
        self.thresholdMilli = maxMilli / 2
        self.milliTokens = Atomic(maxMilli)
    }

    /// The tokens left.
    public var tokens: Double { Double(milliTokens.load(ordering: .relaxed)) / Double(Self.scale) }

    /// Whether a retry may be made now (more than half the tokens remain).
    public var allowsRetry: Bool { milliTokens.load(ordering: .relaxed) > thresholdMilli }

    /// The number of retries refused by ``tryRetry()`` since creation.
    public var deniedRetryCount: Int { deniedRetries.load(ordering: .relaxed) }

    /// Checks ``allowsRetry`` and counts a refusal for metrics.
    ///
    /// - Returns: whether the retry may be made.
    public func tryRetry() -> Bool {
        if allowsRetry { return true }
        deniedRetries.add(1, ordering: .relaxed)
        return false
    }

    /// Records a retryable failure: takes one token (never below zero).
    public func recordFailure() {
        update { max(0, $0 - Self.scale) }
    }

    /// Records a success: gives back `tokenRatio` (never above `maxTokens`).
    public func recordSuccess() {
        let current = milliTokens.load(ordering: .relaxed)
        if current >= maxMilli { return }  // the common case on a healthy upstream: no write at all
        update { [maxMilli, ratioMilli] in min(maxMilli, $0 + ratioMilli) }
    }

    private func update(_ transform: (Int) -> Int) {
        var current = milliTokens.load(ordering: .relaxed)
        while true {
            let next = transform(current)
            if next == current { return }
            let (exchanged, original) = milliTokens.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
