import Canary
import MockProvider
import Resilience
import Shepherd
import Testing
import Upstream

struct MigrationRouterTests {
    @Test func firstStartBeginsTheRolloutAtTheInitialPercentAndStoresIt() async throws {
        try await RouterHarness.with { h in
            #expect(h.router.controller.state.phase == .ramping)
            #expect(h.router.controller.state.percent == 5)
            let stored = try await h.store.state(of: "router-test")?.state
            #expect(stored == h.router.controller.state)
            let events = try await h.router.controller.events()
            #expect(events.map(\.event.reason.kind) == [.started])
        }
    }

    @Test func stickySplitSendsAboutThePercentageToTheRelayAndAnswersInTheOpenAIShape() async throws {
        try await RouterHarness.with { h in
            let answers = try await h.send(400)
            let relay = answers.filter { $0.path == .relay }.count
            #expect(relay > 5 && relay < 40, "5% of 400 ≈ 20, got \(relay)")
            #expect(answers.allSatisfy { !$0.fellBack && $0.response.object == "chat.completion" })
            // The same keys take the same paths again: the split is sticky.
            let again = try await h.send(400)
            #expect(again.filter { $0.path == .relay }.count == relay)
            let snapshot = h.router.window.snapshot()
            #expect(snapshot.relay.successes == relay * 2)
            #expect(snapshot.legacy.successes == 800 - relay * 2)
        }
    }

    @Test func healthyTrafficAdvancesTheRampAndTheStepIsStoredBeforeItTakesEffect() async throws {
        try await RouterHarness.with { h in
            try await h.router.controller.apply(.setPercent(50), reason: "enough relay traffic for a quick test")
            _ = try await h.send(300)
            h.clock.advance(by: .seconds(61))
            let decision = try await h.router.controller.evaluate()
            let event = try #require(decision.event, "\(decision.summary)")
            #expect(event.fromPercent == 50 && event.toPercent == 56.953125)
            #expect(event.reason.kind == .stepAdvanced)
            #expect(try await h.store.state(of: "router-test")?.state.percent == 56.953125)
            let evaluations = try await h.store.evaluations(of: "router-test", since: nil, limit: 10)
            #expect(evaluations.last?.verdict.kind == .healthy)
            #expect(h.router.effectivePercent == 56.953125)
        }
    }

    @Test func relayOutageIsAnsweredByLegacyAndRollsBackWithoutClientVisibleFailure() async throws {
        let outage = RouterHarness.down
        try await RouterHarness.with(relay: outage) { h in
            try await h.router.controller.apply(.setPercent(50))
            let answers = try await h.send(300)
            #expect(answers.count == 300)
            let fellBack = answers.filter(\.fellBack)
            #expect(fellBack.count > 100)
            #expect(answers.allSatisfy { $0.path == .legacy })
            #expect(
                fellBack.allSatisfy { $0.attempts.first?.failure == .serverError && $0.attempts.last?.failure == nil })
            let decision = try await h.router.controller.evaluate()
            #expect(decision.event?.to == .rolledBack, "\(decision.summary)")
            #expect(decision.event?.reason.verdict?.code == .successRateBelowBaseline)
            #expect(h.router.effectivePercent == 0)
        }
    }

    @Test func engagedRollbackSwitchSendsEverythingToLegacy() async throws {
        let rollback = RollbackSwitch()
        try await RouterHarness.with(rollbackSwitch: rollback) { h in
            try await h.router.controller.apply(.setPercent(100))
            rollback.set(.override, engaged: true, reason: "test")
            let answers = try await h.send(80)
            #expect(answers.allSatisfy { $0.path == .legacy && !$0.fellBack })
            #expect(h.router.controller.state.percent == 100)
            let decision = try await h.router.controller.evaluate()
            #expect(decision.hold == .frozen)
            rollback.set(.override, engaged: false, reason: "")
            #expect(try await h.send(16).allSatisfy { $0.path == .relay })
        }
    }

    @Test func clientErrorsFromTheRelayAreNotFailedOver() async throws {
        let rejecting = RouterHarness.phase { $0.errorRates = [422: 1] }
        try await RouterHarness.with(relay: rejecting) { h in
            try await h.router.controller.apply(.setPercent(100))
            let error = await #expect(throws: RouterError.self) {
                try await h.router.complete(RouterHarness.request(user: "u1"))
            }
            #expect(error?.code == .rejected)
            #expect(error?.httpStatus == 422)
            #expect(error?.attempts.map(\.path) == [.relay])
            #expect(h.router.window.snapshot(of: .relay).failures[.clientError] == 1)
            #expect(h.router.window.snapshot(of: .relay).judged == 0)
        }
    }

    @Test func everyPathFailingIsAClearErrorListingWhatWasTried() async throws {
        let down = RouterHarness.down
        try await RouterHarness.with(relay: down, legacy: down) { h in
            try await h.router.controller.apply(.setPercent(100))
            let error = await #expect(throws: RouterError.self) {
                try await h.router.complete(RouterHarness.request(user: "u1"))
            }
            #expect(error?.code == .allPathsFailed)
            #expect(error?.attempts.map(\.path) == [.relay, .legacy])
            #expect(error?.description.contains("relay gpt-4.1: serverError") == true)
            #expect(error?.description.contains("SECRET") == false)
        }
    }

    @Test func streamsPassThroughAndFailOverBeforeTheFirstChunk() async throws {
        let down = RouterHarness.down
        try await RouterHarness.with(relay: down) { h in
            try await h.router.controller.apply(.setPercent(100))
            let stream = try await h.router.stream(RouterHarness.request(user: "u1", stream: true))
            #expect(stream.path == .legacy && stream.fellBack)
            var chunks = 0
            for try await _ in stream { chunks += 1 }
            #expect(chunks > 2)
            let legacy = h.router.window.snapshot(of: .legacy)
            #expect(legacy.successes == 1)
            #expect(legacy.timeToFirstToken(percentile: 50) != nil)
            #expect(h.router.window.snapshot(of: .relay).failures[.serverError] == 1)
        }
    }

    @Test func anOpenRelayBreakerSendsStreamsToLegacyWithoutCallingTheRelay() async throws {
        try await RouterHarness.with { h in
            try await h.router.controller.apply(.setPercent(100))
            h.router.breakers.breaker(for: .init(upstream: "relay")).forceOpen()
            let stream = try await h.router.stream(RouterHarness.request(user: "u1", stream: true))
            #expect(stream.path == .legacy && stream.fellBack)
            #expect(stream.attempts.first?.detail == "circuit_open")
            for try await _ in stream {}
            #expect(h.relayMock.stats.requests == 0, "the breaker refused before any call")
            #expect(
                h.router.window.snapshot(of: .relay).failures[.serverError] == 1, "and the scorer saw the relay down")
            #expect(h.router.window.snapshot(of: .legacy).successes == 1)
        }
    }

    @Test func aStreamCutAfterItsFirstChunkSurfacesAndIsNotFailedOver() async throws {
        let cut = FaultScenario.streamCut(afterChunks: 3)
        try await RouterHarness.with(relay: cut) { h in
            try await h.router.controller.apply(.setPercent(100))
            let stream = try await h.router.stream(RouterHarness.request(user: "u1", stream: true))
            #expect(stream.path == .relay)
            await #expect(throws: ProviderError.self) {
                for try await _ in stream {}
            }
            #expect(h.router.window.snapshot(of: .relay).failures[.connection] == 1)
            #expect(h.router.window.snapshot(of: .legacy).requests == 0)
        }
    }

    @Test func aRestartResumesAtTheStoredPercent() async throws {
        let store = InMemoryRolloutStore()
        try await RouterHarness.with(store: store) { h in
            try await h.router.controller.apply(.setPercent(37.96875), reason: "operator")
        }
        try await RouterHarness.with(store: store) { h in
            #expect(h.router.controller.state.percent == 37.96875)
            #expect(h.router.controller.state.phase == .ramping)
            let events = try await h.router.controller.events()
            #expect(events.count == 2)
            // The window starts empty: the first evaluation holds for data.
            let decision = try await h.router.controller.evaluate()
            #expect(decision.hold == .insufficientData)
        }
    }

    @Test func commandsThePhaseDoesNotAllowChangeNothing() async throws {
        try await RouterHarness.with { h in
            await #expect(throws: RampCommandError.self) { try await h.router.controller.apply(.resume) }
            let events = try await h.router.controller.events()
            #expect(events.count == 1)
            #expect(h.router.controller.state.percent == 5)
        }
    }

    @Test func statusReportsStateSwitchAndHealth() async throws {
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": "maybe"])
        try await RouterHarness.with(rollbackSwitch: rollback) { h in
            _ = try await h.send(16)
            try await h.router.controller.evaluate()
            let status = h.router.status()
            #expect(status.rollbackEngaged)
            #expect(status.rollbackError?.contains("SHEPHERD_ROLLBACK=\"maybe\"") == true)
            #expect(status.effectivePercent == 0)
            #expect(status.legacy.requests == 16)
            #expect(status.recentDecisions.last?.hold == .frozen)
        }
    }
}

struct RouterTimeoutTests {
    @Test func anAttemptCutByItsTimeoutCountsAsATimeoutOfThePath() async throws {
        // The relay takes an hour (on its own, real clock): it never answers within the test, however
        // loaded the machine; the router allows 200 ms per attempt on its manual clock.
        let slow = RouterHarness.phase { $0.latency = .fixed(.seconds(3600)) }
        let deadlines = try Deadlines(total: .seconds(5), perAttempt: .milliseconds(200))
        try await RouterHarness.with(relay: slow, deadlines: deadlines) { h in
            try await h.router.controller.apply(.setPercent(100))
            let call = Task { try await h.router.complete(RouterHarness.request(user: "u1")) }
            await h.clock.waitForSleepers(count: 1)  // the attempt's timeout timer
            h.clock.advance(by: .milliseconds(200))
            let answer = try await call.value
            #expect(answer.fellBack && answer.path == .legacy)
            #expect(answer.attempts.first?.failure == .timeout)
            let relay = h.router.window.snapshot(of: .relay)
            #expect(relay.failures[.timeout] == 1 && relay.failures[.cancelled] == 0)
        }
    }
}

/// Model fallback chains by task tier, on the relay.
struct ModelChainRoutingTests {
    static let critical = RoutingHint(key: "u1", tier: "critical")

    @Test func theChainStartsAtTheModelAskedForAndNeverMovesUp() async throws {
        try await RouterHarness.with { h in
            let router = h.router
            let none = try router.relayChain(tier: nil, model: "gpt-4.1")
            let fromTheTop = try router.relayChain(tier: "critical", model: "gpt-4.1")
            let fromTheMiddle = try router.relayChain(tier: "critical", model: "gemini-2.5-flash")
            let unlisted = try router.relayChain(tier: "bulk", model: "gpt-4o")
            #expect(none == nil)
            #expect(fromTheTop == ["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"])
            #expect(fromTheMiddle == ["gemini-2.5-flash", "deepseek-v3.2"])
            #expect(unlisted == ["gpt-4o", "deepseek-v3.2", "gemini-2.5-flash"])
            let error = #expect(throws: RouterError.self) {
                try h.router.relayChain(tier: "platinum", model: "gpt-4.1")
            }
            #expect(error?.code == .rejected && error?.httpStatus == 400)
            #expect(error?.message.contains("balanced, bulk, critical") == true)
        }
    }

    @Test func aRateLimitedModelMovesToTheNextModelOnTheRelayAndBothCallsAreRecorded() async throws {
        let busy = RouterHarness.phase {
            $0.errorRates = [429: 1]
            $0.models = ["gpt-4.1"]
        }
        try await RouterHarness.with(relay: busy) { h in
            try await h.router.controller.apply(.setPercent(100))
            let routed = try await h.router.complete(RouterHarness.request(user: "u1"), routing: Self.critical)
            #expect(routed.path == .relay && !routed.fellBack)
            #expect(routed.response.model == "claude-sonnet-4.5")
            #expect(routed.attempts.map(\.model) == ["gpt-4.1", "claude-sonnet-4.5"])
            #expect(routed.attempts.map(\.failure) == [.rateLimited, nil])
            let relay = h.router.window.snapshot(of: .relay)
            #expect(relay.failures[.rateLimited] == 1 && relay.successes == 1)
            #expect(h.legacyMock.stats.requests == 0)
            #expect(h.router.breakers.all.keys.contains { $0.description == "relay/gpt-4.1" }, "one breaker per model")
        }
    }

    @Test func anExhaustedChainFailsOverToLegacyWithTheModelAskedFor() async throws {
        let down = RouterHarness.down
        try await RouterHarness.with(relay: down) { h in
            try await h.router.controller.apply(.setPercent(100))
            let routed = try await h.router.complete(RouterHarness.request(user: "u1"), routing: Self.critical)
            #expect(routed.path == .legacy && routed.fellBack)
            #expect(
                routed.attempts.map(\.model)
                    == ["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2", "gpt-4.1"])
            #expect(routed.attempts.map(\.path) == [.relay, .relay, .relay, .relay, .legacy])
            #expect(h.relayMock.stats.requests == 4)
            #expect(h.legacyMock.lastRequest?.body.contains(#""model":"gpt-4.1""#) == true)
        }
    }

    @Test func aModelWhoseBreakerIsOpenIsSkippedWithoutACall() async throws {
        try await RouterHarness.with { h in
            try await h.router.controller.apply(.setPercent(100))
            h.router.breakers.breaker(for: .init(upstream: "relay", model: "gpt-4.1")).forceOpen()
            let routed = try await h.router.complete(RouterHarness.request(user: "u1"), routing: Self.critical)
            #expect(routed.path == .relay && routed.response.model == "claude-sonnet-4.5")
            #expect(h.relayMock.stats.requests == 1)
            #expect(h.relayMock.lastRequest?.body.contains(#""model":"claude-sonnet-4.5""#) == true)
        }
    }

    @Test func everyModelsBreakerOpenCountsAsOneRelayFailureAndFailsOver() async throws {
        try await RouterHarness.with { h in
            try await h.router.controller.apply(.setPercent(100))
            for model in ["gemini-2.5-flash", "deepseek-v3.2"] {
                h.router.breakers.breaker(for: .init(upstream: "relay", model: model)).forceOpen()
            }
            let request = RouterHarness.request(user: "u1")
            var asked = request
            asked.model = "deepseek-v3.2"  // bulk from deepseek on: deepseek, then gemini
            let routed = try await h.router.complete(asked, routing: RoutingHint(key: "u1", tier: "bulk"))
            #expect(routed.path == .legacy && routed.fellBack)
            #expect(routed.attempts.filter { $0.path == .relay }.map(\.detail) == ["circuit_open", "circuit_open"])
            #expect(h.relayMock.stats.requests == 0)
            #expect(h.router.window.snapshot(of: .relay).failures[.serverError] == 1, "the scorer saw the relay down")
        }
    }

    @Test func aStreamFollowsTheChainUpToItsFirstChunk() async throws {
        let busy = RouterHarness.phase {
            $0.errorRates = [429: 1]
            $0.models = ["gpt-4.1"]
        }
        try await RouterHarness.with(relay: busy) { h in
            try await h.router.controller.apply(.setPercent(100))
            let stream = try await h.router.stream(
                RouterHarness.request(user: "u1", stream: true), routing: Self.critical)
            #expect(stream.path == .relay && !stream.fellBack)
            #expect(stream.attempts.map(\.model) == ["gpt-4.1", "claude-sonnet-4.5"])
            var chunks = 0
            for try await _ in stream { chunks += 1 }
            #expect(chunks > 2)
            #expect(h.relayMock.lastRequest?.body.contains(#""model":"claude-sonnet-4.5""#) == true)
        }
    }

    @Test func aSlowFirstModelIsHedgedOnTheNextModelAndTheLoserCancelled() async throws {
        // gpt-4.1 never answers within the test (the mock's clock is real; the hedge's is virtual):
        // only the hedge can win, however loaded the machine. Ending the test cancels its handler.
        let slow = RouterHarness.phase {
            $0.latency = .fixed(.seconds(3600))
            $0.models = ["gpt-4.1"]
        }
        var policy = RouterHarness.policy
        policy.hedging = HedgingSettings(delay: .fixed(.milliseconds(500)))
        try await RouterHarness.with(relay: slow, policy: policy, deadlines: .none) { h in
            try await h.router.controller.apply(.setPercent(100))
            let router = h.router
            let call = Task { try await router.complete(RouterHarness.request(user: "u1"), routing: Self.critical) }
            _ = await h.relayMock.waitForStats { $0.requests >= 1 }  // gpt-4.1 is answering slowly
            await h.clock.waitForSleepers(count: 1)  // the hedge timer (no other deadline is set)
            h.clock.advance(by: .milliseconds(500))
            let routed = try await call.value
            #expect(routed.path == .relay && !routed.fellBack)
            #expect(routed.response.model == "claude-sonnet-4.5")
            let byModel = Dictionary(uniqueKeysWithValues: routed.attempts.map { ($0.model, $0.failure) })
            #expect(
                byModel == ["claude-sonnet-4.5": nil, "gpt-4.1": .cancelled], "the loser is cancelled, not timed out")
            let relay = h.router.window.snapshot(of: .relay)
            #expect(
                relay.successes == 1 && relay.judged == 1, "a cancelled hedge loser does not count against the relay")
        }
    }

    @Test func aStreamWhoseFirstTokenIsSlowIsHedgedAndTheFirstChunkWins() async throws {
        // gpt-4.1's first token never comes within the test (the mock's clock is real, the hedge's
        // virtual): a 2 s delay raced the hedge on a loaded machine, as the completion test did.
        let slowFirstToken = RouterHarness.phase {
            $0.firstTokenDelay = .seconds(3600)
            $0.models = ["gpt-4.1"]
        }
        var policy = RouterHarness.policy
        policy.hedging = HedgingSettings(delay: .fixed(.milliseconds(500)))
        try await RouterHarness.with(relay: slowFirstToken, policy: policy, deadlines: .none) { h in
            try await h.router.controller.apply(.setPercent(100))
            let router = h.router
            let call = Task {
                try await router.stream(RouterHarness.request(user: "u1", stream: true), routing: Self.critical)
            }
            _ = await h.relayMock.waitForStats { $0.requests >= 1 }  // gpt-4.1's first token is slow
            await h.clock.waitForSleepers(count: 1)  // the hedge timer
            h.clock.advance(by: .milliseconds(500))
            let stream = try await call.value
            #expect(stream.path == .relay && !stream.fellBack)
            let byModel = Dictionary(uniqueKeysWithValues: stream.attempts.map { ($0.model, $0.failure) })
            #expect(
                byModel["claude-sonnet-4.5"] == .some(nil), "the hedge delivered the first chunk: \(stream.attempts)")
            var chunks = 0
            for try await _ in stream { chunks += 1 }
            #expect(chunks > 2)
            #expect(h.relayMock.stats.requests == 2)
        }
    }

    @Test func legacyIgnoresTheTierAndAnswersWithTheModelAskedFor() async throws {
        let busy = RouterHarness.phase { $0.errorRates = [429: 1] }
        try await RouterHarness.with(legacy: busy) { h in
            try await h.router.controller.apply(.setPercent(0))
            let error = await #expect(throws: RouterError.self) {
                try await h.router.complete(RouterHarness.request(user: "u1"), routing: Self.critical)
            }
            #expect(error?.attempts.map(\.model) == ["gpt-4.1"])
            #expect(h.relayMock.stats.requests == 0)
        }
    }
}
