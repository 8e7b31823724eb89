import Canary
import Testing

@testable import Resilience

@Suite(.timeLimit(.minutes(1)))
struct HedgingTests {
    let clock = ManualClock()
    let chain = ModelChain([.init("primary", upstream: "a"), .init("secondary", upstream: "b")])

    func executor(hedging: HedgingPolicy, chain: ModelChain? = nil) throws -> ModelChainExecutor<ManualClock> {
        try ModelChainExecutor(
            chain: chain ?? self.chain, backoff: noJitter, deadlines: .none, hedging: hedging,
            breakers: CircuitBreakerRegistry(clock: clock), random: seeded(), clock: clock)
    }

    /// Each model answers after its latency; logs starts and cancellations.
    func models(_ latency: [String: Duration], started: Log<String>, cancelled: Log<String>, commit: Bool = false)
        -> @Sendable (ModelChain.Model, AttemptContext) async throws -> String
    {
        let clock = clock
        return { model, context in
            started.append(model.name)
            if commit { #expect(context.commit()) }
            do {
                try await clock.sleep(for: latency[model.name] ?? .zero)
            } catch {
                cancelled.append(model.name)
                throw error
            }
            return model.name
        }
    }

    @Test func hedgingIsOffByDefault() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let executor = try executor(hedging: .off)
        let task = Task {
            try await executor.execute(models(["primary": .seconds(10)], started: started, cancelled: cancelled))
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        let result = try await task.value
        #expect(started.all == ["primary"])
        #expect(!result.hedged)
    }

    @Test func hedgeStartsAfterFixedDelayAndFirstSuccessWins() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let executor = try executor(hedging: .after(.fixed(.seconds(2))))
        let operation = models(
            ["primary": .seconds(10), "secondary": .seconds(1)], started: started, cancelled: cancelled)
        let task = Task { try await executor.execute(operation) }
        await clock.waitForSleepers(count: 2)  // the primary and the hedge timer
        clock.advance(by: .milliseconds(1999))
        #expect(started.all == ["primary"])
        clock.advance(by: .milliseconds(1))
        await clock.waitForSleepers(count: 2)  // the primary and the hedge
        #expect(started.all == ["primary", "secondary"])
        clock.advance(by: .seconds(1))
        let result = try await task.value
        #expect(result.value == "secondary")
        #expect(result.model == "secondary")
        #expect(result.hedged)
        #expect(cancelled.all == ["primary"], "the loser was cancelled")
        #expect(result.attempts.map(\.outcome) == [.abandoned, .succeeded])
        #expect(result.attempts.map(\.isHedge) == [false, true])
        #expect(clock.now == .at(.seconds(3)))
    }

    @Test func primaryCanStillWinAfterTheHedgeStarted() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let executor = try executor(hedging: .after(.fixed(.seconds(2))))
        let operation = models(
            ["primary": .seconds(3), "secondary": .seconds(10)], started: started, cancelled: cancelled)
        let task = Task { try await executor.execute(operation) }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(2))
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        let result = try await task.value
        #expect(result.model == "primary")
        #expect(result.hedged)
        #expect(cancelled.all == ["secondary"])
    }

    @Test func noHedgeWhenThePrimaryAnswersBeforeTheDelay() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let executor = try executor(hedging: .after(.fixed(.seconds(2))))
        let task = Task {
            try await executor.execute(models(["primary": .seconds(1)], started: started, cancelled: cancelled))
        }
        await clock.waitForSleepers(count: 2)  // the primary and the executor's shared sleeper
        #expect(executor.deadlineScheduler.pendingCount == 1, "the hedge timer waits on the shared sleeper")
        clock.advance(by: .seconds(1))
        let result = try await task.value
        #expect(!result.hedged)
        #expect(started.all == ["primary"])
        #expect(executor.deadlineScheduler.pendingCount == 0, "the hedge timer was cancelled at once")
        // What is left is the executor's one shared sleeper, not a timer of this call's own.
        #expect(clock.sleeperCount == 1)
    }

    @Test func manyCallsAnsweredBeforeTheHedgeDelayLeaveNoTimerPerCall() async throws {
        // A `clock.sleep` per hedged call, cancelled when the primary answered, kept its timer (and
        // the call's memory) on Linux until the delay passed: at proxy rates, memory grew with
        // rate × delay.
        let executor = try executor(hedging: .after(.fixed(.seconds(30))))
        let calls = 500
        await withTaskGroup(of: Void.self) { group in
            for call in 0..<calls {
                group.addTask { #expect((try? await executor.execute { _, _ in call })?.value == call) }
            }
        }
        #expect(executor.deadlineScheduler.pendingCount == 0)
        #expect(clock.sleeperCount <= 1, "one shared sleeper at most, whatever the number of calls")
    }

    @Test func hedgeDelayFollowsTheObservedP95() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let policy = HedgingPolicy.after(
            .observedP95(fallback: .seconds(9)) { model in model.upstream == "a" ? .seconds(4) : nil })
        let executor = try executor(hedging: policy)
        let task = Task {
            try await executor.execute(
                models(["primary": .seconds(10), "secondary": .zero], started: started, cancelled: cancelled))
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .milliseconds(3999))
        #expect(started.all == ["primary"])
        clock.advance(by: .milliseconds(1))
        let result = try await task.value
        #expect(result.model == "secondary")
        #expect(clock.now == .at(.seconds(4)))
        #expect(policy.delay(for: .init("other", upstream: "z")) == .seconds(9), "fallback while no p95 is known")
    }

    @Test func hedgesDrawFromTheSameAttemptBudget() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        var chain = chain
        chain.maxTotalAttempts = 1
        let executor = try executor(hedging: .after(.fixed(.seconds(2))), chain: chain)
        let task = Task {
            try await executor.execute(models(["primary": .seconds(10)], started: started, cancelled: cancelled))
        }
        await clock.waitForSleepers(count: 1)  // no hedge timer: no attempt left for a hedge
        clock.advance(by: .seconds(10))
        let result = try await task.value
        #expect(!result.hedged)
        #expect(started.all == ["primary"])
    }

    @Test func neverHedgesAfterStreamCommitted() async throws {
        let (started, cancelled) = (Log<String>(), Log<String>())
        let executor = try executor(hedging: .after(.fixed(.seconds(2))))
        let task = Task {
            try await executor.execute(
                models(["primary": .seconds(10)], started: started, cancelled: cancelled, commit: true))
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(2))  // the hedge timer fires, but the primary has committed
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(8))
        let result = try await task.value
        #expect(result.model == "primary")
        #expect(!result.hedged)
        #expect(started.all == ["primary"])
    }

    @Test func commitByTheHedgeCancelsThePrimary() async throws {
        let started = Log<String>()
        let cancelled = Log<String>()
        let clock = clock
        let executor = try executor(hedging: .after(.fixed(.seconds(1))))
        let task = Task {
            try await executor.execute { model, context in
                started.append(model.name)
                if model.name == "secondary" {
                    #expect(context.commit())
                    try await clock.sleep(for: .seconds(5))
                    return "streamed by secondary"
                }
                do { try await clock.sleep(for: .seconds(100)) } catch {
                    cancelled.append(model.name)
                    throw error
                }
                return "primary"
            }
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        // The hedge commits at once: the primary is killed without waiting for either to finish.
        #expect(await eventually { cancelled.all == ["primary"] })
        clock.advance(by: .seconds(5))
        let result = try await task.value
        #expect(result.value == "streamed by secondary")
        #expect(result.attempts.map(\.outcome) == [.abandoned, .succeeded])
    }

    @Test func primaryFailingBeforeTheDelayFailsOverWithoutHedge() async throws {
        let started = Log<String>()
        let executor = try executor(hedging: .after(.fixed(.seconds(2))))
        let result = try await executor.execute { model, _ in
            started.append(model.name)
            if model.name == "primary" { throw UpstreamFailure(.serverError) }
            return model.name
        }
        #expect(result.model == "secondary")
        #expect(!result.hedged)
        #expect(started.all == ["primary", "secondary"])
    }
}
