import Canary
import MockProvider
import Resilience
import Shepherd
import ShepherdTesting
import Testing
import Upstream

/// A path that cannot work as configured (its certificate not trusted) is failed over at once,
/// counted under its own class, and named in the status.
struct ConfigurationProblemTests {
    @Test func aRelayWhoseTLSHandshakeFailsIsFailedOverAndTheStatusSaysWhy() async throws {
        try await RouterHarness.with { h in
            let legacyPort = try await h.legacyMock.port()
            let relayPort = try await h.relayMock.port()
            // The relay mock speaks plain HTTP: a TLS client's handshake with it fails.
            let legacy = AnthropicProvider(
                configuration: .init(name: "legacy", baseURL: "http://127.0.0.1:\(legacyPort)"))
            // A connect timeout far longer than the handshake's failure takes, so that a loaded machine
            // (the whole suite at once) cannot turn the TLS failure into a timeout.
            let broken = OpenAICompatibleProvider(
                configuration: .init(
                    name: "relay", baseURL: "https://127.0.0.1:\(relayPort)/v1",
                    connection: .init(connectTimeout: .seconds(120))))
            // Shut down whatever happens: a client dropped without it is a fatal error, not a failure.
            try await closing(broken.shutdown) {
                try await closing(legacy.shutdown) {
                    let router = try await MigrationRouter(
                        legacy: legacy, relay: broken, configuration: .init(policy: RouterHarness.policy),
                        store: InMemoryRolloutStore(), clock: h.clock, seed: 3)
                    try await router.controller.apply(.setPercent(100), reason: "every call to the relay")

                    let answer = try await router.complete(RouterHarness.request(user: "u1"))
                    #expect(answer.path == .legacy)
                    #expect(answer.fellBack)
                    #expect(
                        answer.attempts.map(\.failure) == [.tls, nil], "one relay attempt, not retried, then legacy")
                    let problem = try #require(router.status().problems?["relay"])
                    #expect(problem.contains("TLS: ") && problem.contains("relay 127.0.0.1:\(relayPort)"), "\(problem)")
                    #expect(router.window.snapshot(of: .relay).failures[.tls] == 1)
                    #expect(router.status().problems?["legacy"] == nil)
                }
            }
        }
    }
}
