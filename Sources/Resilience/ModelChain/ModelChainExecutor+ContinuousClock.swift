import Canary

extension ModelChainExecutor where C == ContinuousClock {
    /// Creates an executor for a tier's default chain on the continuous clock.
    ///
    /// ```swift
    /// let executor = try ModelChainExecutor(tier: .bulk, breakers: CircuitBreakerRegistry(clock: ContinuousClock()))
    /// ```
    public init(
        tier: TaskTier,
        deadlines: Deadlines = Deadlines.standard,
        hedging: HedgingPolicy = .off,
        breakers: CircuitBreakerRegistry<ContinuousClock>,
        budgets: RetryBudgetRegistry = RetryBudgetRegistry()
    ) throws(ResilienceError) {
        try self.init(
            chain: .default(for: tier), deadlines: deadlines, hedging: hedging, breakers: breakers, budgets: budgets,
            clock: ContinuousClock())
    }
}
