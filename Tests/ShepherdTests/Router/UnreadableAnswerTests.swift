import Canary
import MockProvider
import Resilience
import Shepherd
import Testing
import Upstream

/// Answers that are not the shape their upstream's flavor promises: errors, counted, never successes.
struct UnreadableAnswerTests {
    @Test func aLegacyAnswerOfTheWrongFlavorIsACountedFailureNotAnEmptySuccess() async throws {
        // Legacy speaks Anthropic; its upstream answers like OpenAI (the wrong kind of endpoint).
        let wrongFlavor = Self.answering(.otherFlavor)
        // The environment's switch (the admin override is the store's, which the controller follows):
        // every call on legacy, and the relay never answers for it.
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": "1"])
        try await RouterHarness.with(legacy: wrongFlavor, rollbackSwitch: rollback) { h in
            let error = await #expect(throws: RouterError.self) {
                try await h.router.complete(RouterHarness.request(user: "u1"))
            }
            #expect(error?.code == .allPathsFailed)
            #expect(error?.attempts.map(\.detail) == ["malformed_response"])
            let legacy = h.router.window.snapshot(of: .legacy)
            #expect(legacy.successes == 0)
            #expect(legacy.failures.againstPath == 1, "the baseline's failure is counted: \(legacy.failures)")
        }
    }

    static let garbage: [MalformedBody] = [.html, .truncated, .empty]

    /// An upstream that answers every call with `body`.
    static func answering(_ body: MalformedBody) -> FaultScenario {
        RouterHarness.phase {
            $0.malformedRate = 1
            $0.malformedBody = body
        }
    }

    @Test(arguments: garbage)
    func relayGarbageIsAnsweredByLegacyAndCountedAgainstTheRelay(body: MalformedBody) async throws {
        try await RouterHarness.with(relay: Self.answering(body)) { h in
            try await h.router.controller.apply(.setPercent(100))
            let answer = try await h.router.complete(RouterHarness.request(user: "u1"))
            #expect(answer.path == .legacy && answer.fellBack)
            #expect(answer.attempts.first?.detail == "malformed_response")
            #expect(answer.response.text?.isEmpty == false)
            #expect(h.relayMock.stats.malformed == 1, "asked once: the relay's answer is not asked for again")
            #expect(h.router.window.snapshot(of: .relay).failures[.serverError] == 1)
        }
    }

    /// Bodies that are garbage from their first byte (a broken event after the first chunk is a
    /// stream already committed to the relay, which surfaces: `StreamingTests`' subject).
    @Test(arguments: [MalformedBody.html, .empty])
    func relayGarbageOnAStreamIsAnsweredByLegacyAsWell(body: MalformedBody) async throws {
        try await RouterHarness.with(relay: Self.answering(body)) { h in
            try await h.router.controller.apply(.setPercent(100))
            let stream = try await h.router.stream(RouterHarness.request(user: "u1", stream: true))
            var chunks = 0
            for try await _ in stream { chunks += 1 }
            #expect(stream.path == .legacy && stream.fellBack)
            #expect(chunks > 2)
            #expect(stream.attempts.first?.detail == "malformed_response")
            #expect(h.router.window.snapshot(of: .relay).failures[.serverError] == 1)
        }
    }
}
