import Canary
import MockProvider
import Resilience
import Shepherd
import Testing
import Upstream

struct ClientErrorVerdictTests {
    @Test func aRelayAnswering404ToEveryCallIsRolledBackWithAReasonThatSaysSo() async throws {
        // A relay URL missing /v1: every call is a 404, which is not failed over.
        let notFound = RouterHarness.phase { $0.errorRates = [404: 1] }
        try await RouterHarness.with(relay: notFound) { h in
            try await h.router.controller.apply(.setPercent(50))
            var rejected = 0
            for i in 0..<300 {
                do {
                    _ = try await h.router.complete(RouterHarness.request(user: "user-\(i)"))
                } catch let error as RouterError {
                    #expect(error.httpStatus == 404)
                    rejected += 1
                }
            }
            #expect(rejected > 100)
            #expect(h.router.window.snapshot(of: .relay).judged == 0)
            let decision = try await h.router.controller.evaluate()
            #expect(decision.event?.to == .rolledBack, "\(decision.summary)")
            #expect(decision.event?.reason.verdict?.code == .clientErrorsAboveBaseline)
        }
    }
}
