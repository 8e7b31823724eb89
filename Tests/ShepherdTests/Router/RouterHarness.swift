import Canary
import MockProvider
import Resilience
import Shepherd
import Upstream

/// Two real mock providers on loopback (legacy speaking Anthropic, relay speaking OpenAI)
/// and a router over them, on a manual clock.
struct RouterHarness {
    let router: MigrationRouter<ManualClock>
    let clock: ManualClock
    let store: InMemoryRolloutStore
    let legacyMock: MockProviderServer<ContinuousClock>
    let relayMock: MockProviderServer<ContinuousClock>

    static let policy: RolloutPolicy = {
        var policy = RolloutPolicy(rolloutID: "router-test")
        policy.ramp.minHoldTime = .seconds(60)
        policy.ramp.minSamplesPerStep = 100
        policy.health.minSamples = 100
        return policy
    }()

    static func phase(_ configure: (inout FaultScenario.Phase) -> Void) -> FaultScenario {
        var phase = FaultScenario.Phase()
        configure(&phase)
        return FaultScenario(name: "test", phase)
    }

    /// Runs `body` with both mocks up and a router over them.
    static func with<R>(
        relay relayScenario: FaultScenario = .healthy,
        legacy legacyScenario: FaultScenario = .healthy,
        store: InMemoryRolloutStore = InMemoryRolloutStore(),
        rollbackSwitch: RollbackSwitch = RollbackSwitch(),
        policy: RolloutPolicy = RouterHarness.policy,
        deadlines: Deadlines = .standard,
        relayRetry: RetryPolicy = RetryPolicy(maxAttempts: 1),
        tracing: RouterTracing = RouterTracing(),
        _ body: (RouterHarness) async throws -> R
    ) async throws -> R {
        let legacyMock = MockProviderServer(scenario: legacyScenario, configuration: .init(seed: 1), clock: ContinuousClock())
        let relayMock = MockProviderServer(scenario: relayScenario, configuration: .init(seed: 2), clock: ContinuousClock())
        return try await legacyMock.withRunning { legacyPort in
            try await relayMock.withRunning { relayPort in
                let legacy = AnthropicProvider(
                    configuration: .init(name: "legacy", baseURL: "http://127.0.0.1:\(legacyPort)", apiKey: APIKey("sk-legacy-SECRET")))
                let relay = OpenAICompatibleProvider(
                    configuration: .init(name: "relay", baseURL: "http://127.0.0.1:\(relayPort)/v1", apiKey: APIKey("sk-relay-SECRET")))
                let clock = ManualClock()
                let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)
                let router = try await MigrationRouter(
                    legacy: legacy, relay: relay,
                    configuration: .init(
                        policy: policy, relayRetry: relayRetry, legacyRetry: RetryPolicy(maxAttempts: 1),
                        deadlines: deadlines, tracing: tracing),
                    store: store, rollbackSwitch: rollbackSwitch, clock: clock,
                    wallNow: { epoch.advanced(by: clock.now.offset) }, seed: 7)
                let harness = RouterHarness(router: router, clock: clock, store: store, legacyMock: legacyMock, relayMock: relayMock)
                do {
                    let result = try await body(harness)
                    try await legacy.shutdown()
                    try await relay.shutdown()
                    return result
                } catch {
                    try? await legacy.shutdown()
                    try? await relay.shutdown()
                    throw error
                }
            }
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
