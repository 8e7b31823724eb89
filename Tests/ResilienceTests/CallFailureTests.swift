import Canary
import Synchronization
import Testing

@testable import Resilience

/// A failure decided once, by the layer that saw it first; the executors read the decision.
@Suite(.timeLimit(.minutes(1)))
struct CallFailureTests {
    /// An upstream failure that counts how often a layer asks it what it is.
    struct CountedFailure: ClassifiedFailure {
        let counter: Counter

        var failureClass: FailureClass { .serverError }

        var outcome: CallFailure {
            counter.reads.add(1, ordering: .relaxed)
            return CallFailure(
                .serverError, label: "http_503", retryAfter: .delay(.zero), httpStatus: 503, passes: true)
        }
    }

    final class Counter: Sendable {
        let reads = Atomic<Int>(0)
    }

    @Test func theRetryExecutorReadsEachAttemptsFailureOnce() async throws {
        let counter = Counter()
        let executor = try RetryExecutor(policy: RetryPolicy(maxAttempts: 3), clock: TestClock())
        let attempts = Counter()
        await #expect(throws: CountedFailure.self) {
            try await executor.execute { _ -> Int in
                attempts.reads.add(1, ordering: .relaxed)
                throw CountedFailure(counter: counter)
            }
        }
        #expect(attempts.reads.load(ordering: .relaxed) == 3)
        #expect(counter.reads.load(ordering: .relaxed) == 3, "one read per failed attempt, none later")
    }

    @Test func aDecidedFailureGoesThroughTheExecutorAsItIs() async throws {
        let decided = CallFailure(.clientError, label: "http_404", httpStatus: 404, provider: "relay", message: "no")
        let executor = try RetryExecutor(policy: RetryPolicy(maxAttempts: 3), clock: TestClock())
        do {
            _ = try await executor.execute { _ -> Int in throw decided }
            Issue.record("expected a failure")
        } catch {
            #expect(error as? CallFailure == decided)
            #expect(FailureClassifier().outcome(of: error) == decided)
        }
    }

    @Test func theResilienceLayerDecidesItsOwnFailures() {
        let open = ResilienceError(.circuitOpen(retryAfter: .seconds(3))).outcome
        #expect(open.failureClass == .serverError && open.label == "circuit_open")
        #expect(open.isUnavailable && open.isFailover && open.retryAfter == .delay(.seconds(3)))
        let spent = ResilienceError(.budgetExhausted, underlyingClass: .serverError).outcome
        #expect(spent.label == "budget_exhausted" && spent.isUnavailable)
        let timedOut = ResilienceError(.attemptTimedOut).outcome
        #expect(timedOut.failureClass == .timeout && !timedOut.isUnavailable && timedOut.upstreamMayHaveCompleted)
        let exhausted = ResilienceError(.chainExhausted(tried: []), underlyingClass: .connection).outcome
        #expect(exhausted.failureClass == .connection && exhausted.label == "chain_exhausted")
        #expect(!exhausted.isUnavailable)
    }

    @Test func anErrorOfAnyOtherTypeIsDecidedByTheClassifier() {
        #expect(FailureClassifier().outcome(of: CancellationError()) == CallFailure(.cancelled))
        #expect(FailureClassifier().outcome(of: MysteryError()).label == "other")
        let custom = FailureClassifier { _ in .connection }.outcome(of: MysteryError())
        #expect(custom.failureClass == .connection && custom.isRetryable && !custom.isUnavailable)
        #expect(CallFailure(.rateLimited).isUnavailable, "a rate limit always passes")
        #expect(!CallFailure(.serverError).isUnavailable, "a server error passes only when its source says so")
    }

    @Test func reclassifyingKeepsEverythingButTheClass() {
        let cancelled = CallFailure(.cancelled, label: "cancelled", provider: "relay")
        let timeout = cancelled.reclassified(as: .timeout)
        #expect(timeout.failureClass == .timeout && timeout.label == "cancelled" && timeout.provider == "relay")
    }
}
