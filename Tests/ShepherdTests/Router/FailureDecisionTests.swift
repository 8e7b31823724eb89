import Canary
import MockProvider
import Resilience
import Synchronization
import Testing
import Upstream

@testable import Shepherd

/// The router decides a failure once, where it sees it first; everything above reads the decision.
struct FailureDecisionTests {
    final class Counter: Sendable {
        let reads = Atomic<Int>(0)
    }

    /// An upstream failure that counts how often a layer asks it what it is.
    struct CountedFailure: ClassifiedFailure {
        let counter: Counter
        var failureClass: FailureClass { .serverError }
        var outcome: CallFailure {
            counter.reads.add(1, ordering: .relaxed)
            return CallFailure(.serverError, label: "http_503", httpStatus: 503, provider: "stub", passes: true)
        }
    }

    /// A provider whose every call fails with a ``CountedFailure``.
    struct FailingProvider: ChatProvider {
        let name: String
        let counter: Counter
        var kind: ProviderKind { .openAICompatible }
        func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
            throw CountedFailure(counter: counter)
        }
        func stream(_ request: ChatRequest, context: CallContext) async throws -> ChatChunkStream {
            throw CountedFailure(counter: counter)
        }
        func embeddings(_ request: EmbeddingRequest, context: CallContext) async throws -> EmbeddingResponse {
            throw CountedFailure(counter: counter)
        }
        func models(context: CallContext) async throws -> ModelList { throw CountedFailure(counter: counter) }
    }

    func router(_ counter: Counter, retry: RetryPolicy) async throws -> MigrationRouter<ManualClock> {
        try await MigrationRouter(
            legacy: FailingProvider(name: "legacy", counter: counter),
            relay: FailingProvider(name: "relay", counter: counter),
            configuration: .init(policy: RouterHarness.policy, relayRetry: retry, legacyRetry: retry),
            store: InMemoryRolloutStore(), clock: ManualClock(), seed: 3)
    }

    @Test(arguments: [false, true])
    func aFailureIsClassifiedOnceWhateverTheCallMakesOfIt(streamed: Bool) async throws {
        let counter = Counter()
        let router = try await router(counter, retry: RetryPolicy(maxAttempts: 1))
        try await router.controller.apply(.setPercent(100))
        do {
            if streamed {
                _ = try await router.stream(RouterHarness.request(user: "u1", stream: true))
            } else {
                _ = try await router.complete(RouterHarness.request(user: "u1"))
            }
            Issue.record("every path fails")
        } catch let error as RouterError {
            #expect(error.attempts.map(\.path) == [.relay, .legacy])
            // One read per failed attempt: the executor, the failover rule and the router error
            // read the decision, not the error.
            #expect(counter.reads.load(ordering: .relaxed) == 2)
            let decided = CallFailure(.serverError, label: "http_503", httpStatus: 503, provider: "stub", passes: true)
            #expect(error.outcome == decided)
            #expect(error.attempts.allSatisfy { $0.outcome == error.outcome && $0.detail == "http_503" })
            #expect(error.code == .allPathsFailed && error.message == "every path failed: http_503")
        }
    }

    @Test func tieredAndUntieredRelayCallsDrawOnOneRetryBudget() async throws {
        let down = RouterHarness.phase {
            $0.outage = true
            $0.outageStatus = 503
            $0.retryAfter = .zero  // retried at once: nothing to wait for on the manual clock
        }
        try await RouterHarness.with(relay: down, relayRetry: RetryPolicy(maxAttempts: 3)) { h in
            try await h.router.controller.apply(.setPercent(100))
            var before = h.relayMock.stats.requests
            func relayCalls() -> Int {
                defer { before = h.relayMock.stats.requests }
                return h.relayMock.stats.requests - before
            }
            // A full budget: an untiered call is retried on the relay before it fails over.
            let first = try await h.router.complete(RouterHarness.request(user: "u1"))
            #expect(first.fellBack && relayCalls() == 3)
            // A tiered call walks its chain (each model once: a 503 moves on) and drains the budget.
            let tiered = try await h.router.complete(
                RouterHarness.request(user: "u1"), routing: RoutingHint(key: "u1", tier: "critical"))
            #expect(tiered.fellBack && relayCalls() == 4)
            #expect(h.router.relayExecutor.budget.allowsRetry == false)
            // The untiered call that follows finds the budget the chain drained: no retry.
            let after = try await h.router.complete(RouterHarness.request(user: "u1"))
            #expect(after.fellBack && relayCalls() == 1)
            #expect(after.attempts.filter { $0.path == .relay }.count == 1)
        }
    }
}
