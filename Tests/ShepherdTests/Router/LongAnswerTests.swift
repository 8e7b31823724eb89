import Canary
import MockProvider
import Resilience
import Shepherd
import Testing
import Upstream

/// Answers that take longer than the call's limit: one timeout, one upstream call, never one per attempt.
struct LongAnswerTests {
    @Test func aLegacyCallThatTimesOutAfterSendingIsNotAskedAgain() async throws {
        // The mock waits on a manual clock that never moves: only the provider's own (real-time)
        // limit ends the call. The router runs on the continuous clock with no deadline of its own,
        // so no virtual time is involved.
        var slow = FaultScenario.Phase()
        slow.latency = .fixed(.seconds(3600))
        let mock = MockProviderServer(
            scenario: FaultScenario(name: "slow", slow), configuration: .init(seed: 1), clock: ManualClock())
        try await mock.withRunning { port in
            let connection = UpstreamConnection(timeout: .seconds(2))
            let legacy = AnthropicProvider(
                configuration: .init(name: "legacy", baseURL: "http://127.0.0.1:\(port)", connection: connection))
            let relay = OpenAICompatibleProvider(
                configuration: .init(name: "relay", baseURL: "http://127.0.0.1:\(port)/v1", connection: connection))
            // The environment's switch (the admin override is the store's, which the controller follows).
            let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": "1"])
            let router = try await MigrationRouter(
                legacy: legacy, relay: relay,
                configuration: .init(
                    policy: RolloutPolicy(rolloutID: "long-answers"), legacyRetry: RetryPolicy(maxAttempts: 3),
                    deadlines: .none),
                store: InMemoryRolloutStore(), rollbackSwitch: rollback, clock: ContinuousClock(), seed: 1)
            let error = await #expect(throws: RouterError.self) {
                try await router.complete(ChatRequest(model: "gpt-4.1", messages: [.init(role: .user, content: "hi")]))
            }
            #expect(error?.failureClass == .timeout)
            #expect(error?.attempts.count == 1, "one attempt, not one per retry")
            // At most once: on a loaded machine the limit may pass before the mock counts the request.
            #expect(mock.stats.requests <= 1, "the upstream was asked once, not once per attempt")
            try await legacy.shutdown()
            try await relay.shutdown()
        }
    }
}
