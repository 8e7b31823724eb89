import Synchronization

/// One ``RetryBudget`` per upstream, created on first use.
///
/// ```swift
/// let budgets = RetryBudgetRegistry { _ in .standard() }
/// budgets.budget(for: "openai").allowsRetry
/// ```
public final class RetryBudgetRegistry: Sendable {
    private let make: @Sendable (String) -> RetryBudget
    private let budgets = Mutex<[String: RetryBudget]>([:])

    /// Creates a registry.
    ///
    /// - Parameter make: builds the budget of an upstream the first time it is asked for
    ///   (default: gRPC-style 10 tokens, 0.1 per success).
    public init(make: @escaping @Sendable (String) -> RetryBudget = { _ in .standard() }) {
        self.make = make
    }

    /// The budget of `upstream`.
    public func budget(for upstream: String) -> RetryBudget {
        budgets.withLock { budgets in
            if let budget = budgets[upstream] { return budget }
            let budget = make(upstream)
            budgets[upstream] = budget
            return budget
        }
    }
}
