import Canary
import MockProvider
import Resilience
import Shepherd
import Testing
import Upstream

/// Legacy down, the relay healthy: the relay answers the calls routed to legacy, but only while
/// it carries traffic.
struct LegacyOutageTests {
    static let legacyDown = RouterHarness.phase {
        $0.outage = true
        $0.outageStatus = 503
        $0.retryAfter = nil
    }

    @Test func callsRoutedToADownLegacyAreAnsweredByTheRelayWhileItCarriesTraffic() async throws {
        try await RouterHarness.with(legacy: Self.legacyDown) { h in
            try await h.router.controller.apply(.setPercent(50), reason: "half on the relay")
            let answers = try await h.send(60)
            #expect(answers.count == 60, "no caller saw the legacy outage")
            #expect(answers.allSatisfy { $0.path == .relay })
            let rescued = answers.filter { $0.chosenPath == .legacy }
            #expect(!rescued.isEmpty)
            #expect(rescued.allSatisfy { $0.fellBack && $0.attempts.first?.path == .legacy })
            let legacy = h.router.window.snapshot(of: .legacy)
            #expect(legacy.failures[.serverError] == rescued.count, "legacy's failures still count against it")
        }
    }

    @Test func aRolledBackRelayDoesNotAnswerForLegacy() async throws {
        try await RouterHarness.with(legacy: Self.legacyDown) { h in
            try await h.router.controller.apply(.rollback, reason: "the relay is not trusted")
            let error = await #expect(throws: RouterError.self) {
                try await h.router.complete(RouterHarness.request(user: "u1"))
            }
            #expect(error?.attempts.map(\.path) == [.legacy])
            #expect(h.relayMock.stats.requests == 0)
        }
    }

    @Test func theCallersOwnBadRequestIsNotSentToTheRelay() async throws {
        let rejecting = RouterHarness.phase { $0.errorRates = [400: 1] }
        try await RouterHarness.with(legacy: rejecting) { h in
            try await h.router.controller.apply(.setPercent(50))
            var legacyCalls = 0
            for n in 0..<20 where h.router.choosePath(forKey: "user-\(n)") == .legacy {
                legacyCalls += 1
                await #expect(throws: RouterError.self) {
                    try await h.router.complete(RouterHarness.request(user: "user-\(n)"))
                }
            }
            #expect(legacyCalls > 0)
            #expect(h.relayMock.stats.requests == 0)
        }
    }
}
