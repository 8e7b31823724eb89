import Canary
import MockProvider
import Resilience
import Shepherd
import ShepherdTesting
import Upstream

/// Two real mock providers on loopback (legacy speaking Anthropic, relay speaking OpenAI)
/// and a router over them, on a manual clock.
struct RouterHarness {
    let router: MigrationRouter<ManualClock>
    let clock: ManualClock
    let store: InMemoryRolloutStore
    let legacyMock: MockProviderServer<ContinuousClock>
    let relayMock: MockProviderServer<ContinuousClock>

    static let policy = TestRollout.policy("router-test")

    static func phase(_ configure: (inout FaultScenario.Phase) -> Void) -> FaultScenario { .phase(configure) }

    /// An upstream that answers every call 503.
    static let down = phase {
        $0.outage = true
        $0.outageStatus = 503
    }

    /// Runs `body` with both mocks up and a router over them.
    @discardableResult
    static func with<R>(
        relay relayScenario: FaultScenario = .healthy,
        legacy legacyScenario: FaultScenario = .healthy,
        store: InMemoryRolloutStore = InMemoryRolloutStore(),
        rollbackSwitch: RollbackSwitch = RollbackSwitch(),
        policy: RolloutPolicy = RouterHarness.policy,
        deadlines: Deadlines = .standard,
        tracing: RouterTracing = RouterTracing(),
        relayRetry: RetryPolicy = RetryPolicy(maxAttempts: 1),
        _ body: (RouterHarness) async throws -> R
    ) async throws -> R {
        try await MockUpstreams.with(legacy: legacyScenario, relay: relayScenario, clock: ContinuousClock()) {
            upstreams in
            let clock = ManualClock()
            let router = try await MigrationRouter(
                legacy: upstreams.legacy, relay: upstreams.relay,
                configuration: .init(
                    policy: policy, relayRetry: relayRetry, legacyRetry: RetryPolicy(maxAttempts: 1),
                    deadlines: deadlines, tracing: tracing),
                store: store, rollbackSwitch: rollbackSwitch, clock: clock, wallNow: TestRollout.wallNow(clock), seed: 7
            )
            return try await body(
                RouterHarness(
                    router: router, clock: clock, store: store, legacyMock: upstreams.legacyMock,
                    relayMock: upstreams.relayMock))
        }
    }

    static func request(user: String? = nil, stream: Bool = false) -> ChatRequest {
        var request = ChatRequest(
            model: "gpt-4.1", messages: [.init(role: .user, content: .text("Say something about canaries."))],
            stream: stream ? true : nil)
        request.user = user
        return request
    }

    /// Sends `count` keyed requests concurrently (8 at a time) and returns how they were answered.
    func send(_ count: Int, keyPrefix: String = "user") async throws -> [RoutedResponse] {
        try await withThrowingTaskGroup(of: [RoutedResponse].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var answers: [RoutedResponse] = []
                    for i in stride(from: worker, to: count, by: 8) {
                        answers.append(try await router.complete(RouterHarness.request(user: "\(keyPrefix)-\(i)")))
                    }
                    return answers
                }
            }
            var all: [RoutedResponse] = []
            for try await part in group { all += part }
            return all
        }
    }
}
