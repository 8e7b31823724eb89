import Canary
import Testing

@testable import Resilience

/// Many tasks hammering one breaker and one budget see consistent counts and exactly one
/// transition per state change.
@Suite(.timeLimit(.minutes(1)))
struct ConcurrencyTests {
    @Test func manyTasksHammeringOneBreakerSeeExactlyOneTransitionPerStateChange() async throws {
        let clock = ManualClock()
        let transitions = Log<CircuitBreakerTransition<ManualClock.Instant>>()
        let config = CircuitBreakerConfiguration(
            window: .count(100), minimumCalls: 100, failureRateThreshold: 0.5, consecutiveFailureThreshold: nil,
            halfOpenTrialCalls: 7, openDuration: .constant(.seconds(10)))
        let breaker = try CircuitBreaker(configuration: config, clock: clock) { transitions.append($0) }
        let tasks = 1_000

        // Phase 1: every call fails; the breaker opens exactly once, somewhere in the stampede.
        let permitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    guard let permit = try? breaker.acquire() else { return false }
                    breaker.onFailure(permit, .serverError, duration: .milliseconds(5))
                    return true
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        var metrics = breaker.metrics
        #expect(metrics.state == .open)
        #expect(permitted + metrics.counters.notPermitted == tasks)
        #expect(metrics.counters.failed == 100, "exactly the window's worth; late outcomes belong to the old state")
        #expect(permitted >= 100)
        #expect(transitions.all.map(\.to) == [.open])

        // Phase 2: half-open stampede: exactly the configured trial calls get through.
        clock.advance(by: .seconds(10))
        let trials = await withTaskGroup(of: CircuitBreakerPermit?.self) { group in
            for _ in 0..<tasks { group.addTask { try? breaker.acquire() } }
            return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
        }
        #expect(trials.count == 7)
        let allTrials = trials.allSatisfy { $0.isTrial }
        #expect(allTrials)
        await withTaskGroup(of: Void.self) { group in
            for trial in trials { group.addTask { breaker.onSuccess(trial, duration: .milliseconds(5)) } }
        }
        metrics = breaker.metrics
        #expect(metrics.state == .closed)
        let sequence = transitions.all.sorted { $0.sequence < $1.sequence }
        #expect(sequence.map(\.to) == [.open, .halfOpen, .closed])
        #expect(sequence.map(\.sequence) == [1, 2, 3])
        #expect(metrics.transitions == 3)
    }

    @Test func manyTasksHammeringOneBudgetKeepExactCounts() async throws {
        let budget = try RetryBudget(maxTokens: 1000, tokenRatio: 0.25)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<800 { group.addTask { budget.recordFailure() } }
        }
        #expect(budget.tokens == 200)
        #expect(!budget.allowsRetry)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2_000 { group.addTask { budget.recordSuccess() } }
        }
        #expect(budget.tokens == 700)
        #expect(budget.allowsRetry)
        let refusals = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    budget.recordFailure()
                    return budget.tryRetry()
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 0 : 1) }
        }
        #expect(budget.tokens == 0)
        #expect(budget.deniedRetryCount == refusals)
        #expect(refusals >= 800, "once 200 failures took the budget to half, every retry is refused")
    }
}
