import Canary
import Testing

@testable import Resilience

struct RetryBudgetTests {
    @Test func startsFullAndAllowsRetries() throws {
        let budget = try RetryBudget(maxTokens: 10, tokenRatio: 0.1)
        #expect(budget.tokens == 10)
        #expect(budget.allowsRetry)
    }

    @Test func retriesStopOnceHalfTheTokensAreSpent() throws {
        let budget = try RetryBudget(maxTokens: 10, tokenRatio: 0.1)
        for _ in 0..<4 { budget.recordFailure() }
        #expect(budget.allowsRetry, "6 > 5")
        budget.recordFailure()
        #expect(!budget.allowsRetry, "5 is not more than half of 10")
        #expect(!budget.tryRetry())
        #expect(budget.deniedRetryCount == 1)
    }

    @Test func successesRefillByTokenRatioUpToTheMaximum() throws {
        let budget = try RetryBudget(maxTokens: 10, tokenRatio: 0.1)
        for _ in 0..<5 { budget.recordFailure() }
        budget.recordSuccess()
        #expect(budget.tokens == 5.1)
        #expect(budget.allowsRetry)
        for _ in 0..<100 { budget.recordSuccess() }
        #expect(budget.tokens == 10)
    }

    @Test func tokensNeverGoBelowZero() throws {
        let budget = try RetryBudget(maxTokens: 3, tokenRatio: 1)
        for _ in 0..<10 { budget.recordFailure() }
        #expect(budget.tokens == 0)
        budget.recordSuccess()
        #expect(budget.tokens == 1)
    }

    @Test(
        "budgets that cannot work are rejected",
        arguments: [(0.0, 0.1), (1001, 0.1), (10, 0), (10, 0.0001), (10, 11), (10, Double.nan)] as [(Double, Double)])
    func invalidBudgetIsRejected(maxTokens: Double, tokenRatio: Double) {
        #expect(throws: ResilienceError.self) { try RetryBudget(maxTokens: maxTokens, tokenRatio: tokenRatio) }
    }

    @Test func registryGivesOneBudgetPerUpstream() {
        let budgets = RetryBudgetRegistry()
        budgets.budget(for: "openai").recordFailure()
        #expect(budgets.budget(for: "openai") === budgets.budget(for: "openai"))
        #expect(budgets.budget(for: "openai").tokens == 9)
        #expect(budgets.budget(for: "google").tokens == 10)
    }
}
