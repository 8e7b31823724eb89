import Canary
import Logging
import MockProvider
import ServiceLifecycle
import Shepherd
import Testing
import Upstream

/// The shadow phase through the router, against two real mock upstreams (issue #16).
@Suite(.timeLimit(.minutes(2)))
struct ShadowRouterTests {
    static func policy(sampleRate: Double = 1, minPairs: Int = 20, cap: Double? = nil) -> RolloutPolicy {
        var policy = RouterHarness.policy
        policy.health.minSamples = 10
        // A few dozen pairs can show equal success only within about ±9 points.
        policy.health.tolerance = 0.1
        policy.shadow = ShadowPolicy(
            sampleRate: sampleRate, minPairs: minPairs, minAgreement: 0.8, maxSpendPerHour: cap)
        return policy
    }

    static func texts(legacy: AnswerText, relay: AnswerText) -> (FaultScenario, FaultScenario) {
        (RouterHarness.phase { $0.answerText = legacy }, RouterHarness.phase { $0.answerText = relay })
    }

    static func ask(_ h: RouterHarness, _ count: Int, stream: Bool = false) async throws {
        for i in 0..<count {
            let request = RouterHarness.request(user: "user-\(i)", stream: stream)
            if stream {
                let routed = try await h.router.stream(request)
                #expect(routed.path == .legacy)
                for try await _ in routed {}
            } else {
                let routed = try await h.router.complete(request)
                #expect(routed.path == .legacy, "a shadowing rollout answers every client from legacy")
            }
        }
        await h.router.controller.runPendingShadowCalls()
    }

    @Test func agreeingUpstreamsEndTheShadowPhaseAndTheFirstStepBegins() async throws {
        let (legacy, relay) = Self.texts(legacy: .echo, relay: .echo)
        try await RouterHarness.with(relay: relay, legacy: legacy, policy: Self.policy()) { h in
            #expect(h.router.controller.state.phase == .shadowing)
            #expect(h.router.effectivePercent == 0)
            try await Self.ask(h, 25)
            try await Self.ask(h, 25, stream: true)
            #expect(h.relayMock.stats.requests == 50, "every sampled call, streams as plain calls")
            let verdict = try #require(h.router.controller.shadowVerdict())
            #expect(verdict.pairs == 50 && verdict.agreeing == 50, "\(verdict.summary)")
            let decision = try await h.router.controller.evaluate()
            #expect(decision.event?.reason.kind == .shadowPassed, "\(decision.summary)")
            #expect(h.router.controller.state.phase == .ramping && h.router.effectivePercent == 5)
        }
    }

    @Test func disagreeingUpstreamsHoldTheShadowPhaseAndTheStatusNamesTheText() async throws {
        let (legacy, relay) = Self.texts(legacy: .echo, relay: .fixed("I am unable to help with that request"))
        try await RouterHarness.with(relay: relay, legacy: legacy, policy: Self.policy()) { h in
            try await Self.ask(h, 25)
            let decision = try await h.router.controller.evaluate()
            #expect(decision.event == nil)
            guard case .shadowing(let why) = decision.hold else {
                Issue.record("expected a shadowing hold, got \(decision.summary)")
                return
            }
            #expect(why.contains("text"), "\(why)")
            let status = h.router.status()
            #expect(status.state.phase == .shadowing)
            #expect(status.shadow?.worst.first?.check == .text)
            #expect(status.shadow?.worst.first?.exampleRequestID == nil, "the calls had no request id")
            #expect(status.shadow?.worst.first?.exampleTexts == nil, "no answer text without keepExamples")
        }
    }

    @Test func theSampleRateBoundsTheRelayCalls() async throws {
        let (legacy, relay) = Self.texts(legacy: .echo, relay: .echo)
        try await RouterHarness.with(relay: relay, legacy: legacy, policy: Self.policy(sampleRate: 0.25)) { h in
            try await Self.ask(h, 200)
            let shadowed = h.relayMock.stats.requests
            // Binomial(200, 0.25): mean 50, sd 6.1; the seeded split makes it the same every run.
            #expect((30...70).contains(shadowed), "\(shadowed) of 200 calls shadowed")
            #expect(h.legacyMock.stats.requests == 200)
        }
    }

    @Test func theSpendCapStopsShadowing() async throws {
        let (legacy, relay) = Self.texts(legacy: .echo, relay: .echo)
        // The mock's answers cost about $0.0001 each at gpt-4.1's list price: a cap of $0.0003 allows a few.
        try await RouterHarness.with(relay: relay, legacy: legacy, policy: Self.policy(cap: 0.0003)) { h in
            for _ in 0..<10 { try await Self.ask(h, 1) }
            let shadowed = h.relayMock.stats.requests
            #expect(shadowed >= 1 && shadowed < 10, "\(shadowed) shadow calls under the cap")
            let verdict = try #require(h.router.controller.shadowVerdict())
            #expect(verdict.pausedForSpend && verdict.summary.contains("spend cap"), "\(verdict.summary)")
        }
    }

    @Test func aFailingRelayNeverFailsTheClientWhileShadowing() async throws {
        let relay = RouterHarness.phase { $0.outage = true }
        try await RouterHarness.with(relay: relay, policy: Self.policy()) { h in
            try await Self.ask(h, 5)
            let verdict = try #require(h.router.controller.shadowVerdict())
            #expect(verdict.pairs == 5 && verdict.agreeing == 0)
            #expect(verdict.worst.first?.check == .bothSucceeded)
            #expect(h.router.status().breakers.values.allSatisfy { $0 == "closed" }, "shadow calls touch no breaker")
        }
    }

    @Test func aShutdownCutsTheShadowCallsInFlightInsteadOfWaitingForThem() async throws {
        let relay = RouterHarness.phase {
            $0.answerText = .echo
            $0.latency = .fixed(.seconds(600))
        }
        try await RouterHarness.with(
            relay: relay, legacy: RouterHarness.phase { $0.answerText = .echo }, policy: Self.policy()
        ) { h in
            // A graceful shutdown, as SIGTERM starts one: nothing is cancelled but what listens for it.
            let group = ServiceGroup(
                services: [h.router.controller], gracefulShutdownSignals: [], logger: Logger(label: "test"))
            let run = Task { try await group.run() }
            let routed = try await h.router.complete(RouterHarness.request(user: "u"))
            #expect(routed.path == .legacy)
            _ = await h.relayMock.waitForStats { $0.requests >= 1 }
            await group.triggerGracefulShutdown()
            // Returns at once: the suite's time limit (far below the relay's 600 s) bounds the wait.
            try await run.value
            #expect(h.router.controller.shadowVerdict()?.pairs == 0, "a call cut by the shutdown is not a pair")
        }
    }
}
