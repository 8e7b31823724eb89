import Canary
import Resilience

/// One path's executor: the one retry budget of its upstream, and its breakers, shared by every
/// call on the path.
///
/// A call names the model asked for only (under the path's breaker, `relay/*`) or, on the
/// relay with a tier, walks the tier's model chain (a breaker per model, `relay/<model>`); both
/// kinds draw on the same budget, so an outage that drained it through one kind is not retried
/// through the other. Both run under the path's retry policy and deadlines.
struct PathExecutor<C: DeadlineClock>: Sendable where C.Duration == Duration {
    /// The path's retry budget.
    let budget: RetryBudget
    private let retry: RetryPolicy
    private let upstream: String
    private let calls: RetryExecutor<C>
    /// Walks a tier's model chain (`nil` on a path without chains): one long-lived executor for
    /// every call, its chain chosen per call.
    private let chains: ModelChainExecutor<C>?

    /// Creates a path's executor.
    ///
    /// - Parameters:
    ///   - chain: a chain the path may walk (any of the policy's), to validate the settings;
    ///     `nil` for a path that never walks one.
    /// - Throws: a ``ResilienceError`` for retry settings that cannot work.
    init(
        path: TrafficPath, retry: RetryPolicy, deadlines: Deadlines, chain: [String]?, hedging: HedgingPolicy,
        breakers: CircuitBreakerRegistry<C>, clock: C
    ) throws(ResilienceError) {
        let budget = RetryBudget.standard()
        self.budget = budget
        self.retry = retry
        self.upstream = path.rawValue
        self.calls = try RetryExecutor(
            policy: retry, deadlines: deadlines, budget: budget,
            breaker: breakers.breaker(for: .init(upstream: path.rawValue)), clock: clock)
        if let chain {
            self.chains = try ModelChainExecutor(
                chain: Self.modelChain(chain, upstream: path.rawValue, retry: retry), backoff: retry.backoff,
                honoursRetryAfter: retry.honoursRetryAfter, deadlines: deadlines, hedging: hedging, breakers: breakers,
                budgets: RetryBudgetRegistry { _ in budget }, clock: clock)
        } else {
            self.chains = nil
        }
    }

    /// Runs a call on the model asked for, under the path's breaker.
    func execute<T: Sendable>(_ operation: @escaping @Sendable (AttemptContext) async throws -> T) async throws -> T {
        try await calls.execute(operation)
    }

    /// Runs a call down `models`, a breaker per model; `nil` on a path without chains.
    func execute<T: Sendable>(
        models: [String], _ operation: @escaping @Sendable (String, AttemptContext) async throws -> T
    ) async throws -> ChainResult<T>? {
        guard let chains else { return nil }
        return try await chains.execute(chain: Self.modelChain(models, upstream: upstream, retry: retry)) {
            model, context in
            try await operation(model.name, context)
        }
    }

    static func modelChain(_ models: [String], upstream: String, retry: RetryPolicy) -> ModelChain {
        let perModel = max(1, retry.maxAttempts)
        return ModelChain(
            models.map { ModelChain.Model($0, upstream: upstream, maxAttempts: perModel) },
            maxTotalAttempts: models.count * perModel)
    }
}
