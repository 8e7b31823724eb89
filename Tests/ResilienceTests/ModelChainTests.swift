import Canary
import Testing

@testable import Resilience

/// What a scripted model does on each call.
enum Behaviour: Sendable {
    case answer
    case fail(UpstreamFailure)
    case answerAfter(Duration)
    case commitThenFail(UpstreamFailure)
}

@Suite(.timeLimit(.minutes(1)))
struct ModelChainTests {
    let clock = ManualClock()

    func executor(
        _ chain: ModelChain = .default(for: .critical), deadlines: Deadlines = .none, hedging: HedgingPolicy = .off,
        breakers: CircuitBreakerRegistry<ManualClock>? = nil, budgets: RetryBudgetRegistry = RetryBudgetRegistry()
    ) throws -> ModelChainExecutor<ManualClock> {
        try ModelChainExecutor(
            chain: chain, backoff: noJitter, deadlines: deadlines, hedging: hedging,
            breakers: breakers ?? CircuitBreakerRegistry(clock: clock), budgets: budgets, random: seeded(), clock: clock
        )
    }

    /// An operation whose models behave as scripted (per call, the last behaviour repeating).
    func scripted(_ script: [String: [Behaviour]], calls: Log<String>)
        -> @Sendable (ModelChain.Model, AttemptContext) async throws -> String
    {
        let clock = clock
        let counters = Log<String>()
        return { model, context in
            calls.append(model.name)
            counters.append(model.name)
            let behaviours = script[model.name] ?? [.answer]
            let index = min(counters.all.filter { $0 == model.name }.count, behaviours.count) - 1
            switch behaviours[index] {
            case .answer:
                return "\(model.name) answered"
            case .fail(let failure):
                throw failure
            case .answerAfter(let duration):
                try await clock.sleep(for: duration)
                return "\(model.name) answered"
            case .commitThenFail(let failure):
                context.commit()
                throw failure
            }
        }
    }

    @Test func defaultChainsFollowTheSeeds() {
        #expect(
            ModelChain.default(for: .critical).models.map(\.name) == [
                "gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2",
            ])
        #expect(
            ModelChain.default(for: .balanced).models.map(\.name) == ["gemini-2.5-flash", "gpt-4.1", "deepseek-v3.2"])
        #expect(ModelChain.default(for: .bulk).models.map(\.name) == ["deepseek-v3.2", "gemini-2.5-flash"])
        for tier in TaskTier.allCases { #expect(throws: Never.self) { try ModelChain.default(for: tier).validate() } }
    }

    @Test func rateLimitMovesToTheNextModelAtOnce() async throws {
        let calls = Log<String>()
        let script: [String: [Behaviour]] = [
            "gpt-4.1": [.fail(UpstreamFailure(.rateLimited, retryAfter: .delay(.seconds(30))))]
        ]
        let result = try await executor().execute(scripted(script, calls: calls))
        #expect(result.value == "claude-sonnet-4.5 answered")
        #expect(result.model == "claude-sonnet-4.5")
        #expect(result.upstream == "anthropic")
        #expect(result.attempts.map(\.outcome) == [.failed(.rateLimited), .succeeded])
        #expect(result.attempts.map(\.model) == ["gpt-4.1", "claude-sonnet-4.5"])
        #expect(!result.hedged)
        #expect(clock.now == .at(.zero), "no waiting for the rate-limited model")
    }

    @Test(arguments: [FailureClass.serverError, .connection, .tls, .dns])
    func outageOrAMisconfiguredConnectionMovesToTheNextModelAtOnce(failureClass: FailureClass) async throws {
        let calls = Log<String>()
        let result = try await executor(.default(for: .bulk)).execute(
            scripted(["deepseek-v3.2": [.fail(UpstreamFailure(failureClass))]], calls: calls))
        #expect(result.model == "gemini-2.5-flash")
        #expect(calls.all == ["deepseek-v3.2", "gemini-2.5-flash"])
    }

    @Test func timeoutIsRetriedOnTheSameModelAfterBackoff() async throws {
        let calls = Log<String>()
        let executor = try executor()
        let operation = scripted(["gpt-4.1": [.fail(UpstreamFailure(.timeout)), .answer]], calls: calls)
        let task = Task { try await executor.execute(operation) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let result = try await task.value
        #expect(result.model == "gpt-4.1")
        #expect(result.attempts.map(\.outcome) == [.failed(.timeout), .succeeded])
    }

    @Test func aTimeoutAfterTheRequestWasSentMovesToTheNextModelInsteadOfAskingAgain() async throws {
        let calls = Log<String>()
        let executor = try executor()
        let operation = scripted(["gpt-4.1": [.fail(.timeoutAfterSending), .answer]], calls: calls)
        let result = try await executor.execute(operation)
        #expect(result.model == "claude-sonnet-4.5")
        #expect(calls.all == ["gpt-4.1", "claude-sonnet-4.5"])
    }

    @Test func totalAttemptsAcrossTheChainAreBoundedByOneBudget() async throws {
        let calls = Log<String>()
        var chain = ModelChain.default(for: .critical)
        for index in chain.models.indices { chain.models[index].maxAttempts = 3 }
        chain.maxTotalAttempts = 4
        let executor = try executor(chain)
        let everyoneTimesOut = Dictionary(
            uniqueKeysWithValues: chain.models.map { ($0.name, [Behaviour.fail(UpstreamFailure(.timeout))]) })
        let task = Task { try await executor.execute(scripted(everyoneTimesOut, calls: calls)) }
        for backoff in [1, 2] {  // gpt-4.1 three times (1 s, 2 s back-offs), then claude once
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(Int64(backoff)))
        }
        let error = await thrownError { try await task.value }
        #expect(calls.count == 4, "3 retries × 4 models would have been 12 calls")
        #expect(calls.all == ["gpt-4.1", "gpt-4.1", "gpt-4.1", "claude-sonnet-4.5"])
        guard case .chainExhausted(let tried)? = (error as? ResilienceError)?.code else {
            Issue.record("expected chainExhausted, got \(String(describing: error))")
            return
        }
        #expect(tried.count == 4)
        #expect((error as? ResilienceError)?.failureClass == .timeout)
    }

    @Test func openBreakerSkipsItsModelWithoutCalling() async throws {
        let calls = Log<String>()
        let breakers = CircuitBreakerRegistry(clock: clock)
        breakers.breaker(for: CircuitBreakerKey(upstream: "openai", model: "gpt-4.1")).forceOpen()
        let result = try await executor(breakers: breakers).execute(scripted([:], calls: calls))
        #expect(calls.all == ["claude-sonnet-4.5"])
        #expect(result.attempts.map(\.outcome) == [.rejectedByBreaker, .succeeded])
        #expect(result.callsMade == 1)
    }

    @Test func rateLimitHoldsThatModelsBreakerOpenForLaterCalls() async throws {
        let calls = Log<String>()
        let breakers = CircuitBreakerRegistry(clock: clock)
        let executor = try executor(breakers: breakers)
        let script: [String: [Behaviour]] = [
            "gpt-4.1": [.fail(UpstreamFailure(.rateLimited, retryAfter: .delay(.seconds(30)))), .answer]
        ]
        let operation = scripted(script, calls: calls)
        _ = try await executor.execute(operation)
        let second = try await executor.execute(operation)
        #expect(second.attempts.first?.outcome == .rejectedByBreaker, "gpt-4.1 asked for 30 s of quiet")
        clock.advance(by: .seconds(30))
        let third = try await executor.execute(operation)
        #expect(third.model == "gpt-4.1")
    }

    @Test(arguments: [FailureClass.clientError, .authError])
    func clientAndAuthErrorsAreNeitherRetriedNorFailedOver(failureClass: FailureClass) async throws {
        let calls = Log<String>()
        let error = await thrownError {
            try await executor().execute(scripted(["gpt-4.1": [.fail(UpstreamFailure(failureClass))]], calls: calls))
        }
        #expect(error as? UpstreamFailure == UpstreamFailure(failureClass))
        #expect(calls.all == ["gpt-4.1"])
    }

    @Test func neverFailsOverAfterStreamCommitted() async throws {
        let calls = Log<String>()
        let error = await thrownError {
            try await executor().execute(
                scripted(["gpt-4.1": [.commitThenFail(UpstreamFailure(.connection))]], calls: calls))
        }
        #expect(error as? UpstreamFailure == UpstreamFailure(.connection), "surfaces as it is")
        #expect(calls.all == ["gpt-4.1"])
    }

    @Test func spentRetryBudgetFailsOverInsteadOfRetrying() async throws {
        let calls = Log<String>()
        let budgets = RetryBudgetRegistry()
        for _ in 0..<5 { budgets.budget(for: "openai").recordFailure() }  // openai is having an outage
        let result = try await executor(budgets: budgets).execute(
            scripted(["gpt-4.1": [.fail(UpstreamFailure(.timeout)), .answer]], calls: calls))
        #expect(calls.all == ["gpt-4.1", "claude-sonnet-4.5"])
        #expect(result.model == "claude-sonnet-4.5")
    }

    @Test func chainExhaustedListsEverythingTried() async throws {
        let calls = Log<String>()
        let down = [Behaviour.fail(UpstreamFailure(.serverError))]
        let error = await thrownError {
            try await executor(.default(for: .bulk)).execute(
                scripted(
                    ["deepseek-v3.2": down, "gemini-2.5-flash": [.fail(UpstreamFailure(.rateLimited))]], calls: calls))
        }
        let resilienceError = try #require(error as? ResilienceError)
        guard case .chainExhausted(let tried) = resilienceError.code else {
            Issue.record("\(resilienceError)")
            return
        }
        #expect(tried.map(\.model) == ["deepseek-v3.2", "gemini-2.5-flash"])
        #expect(tried.map(\.failureClass) == [.serverError, .rateLimited])
        #expect(resilienceError.failureClass == .rateLimited)
        #expect(resilienceError.description.contains("deepseek-v3.2: serverError"))
    }

    @Test func totalDeadlineCoversTheWholeChain() async throws {
        let calls = Log<String>()
        let executor = try executor(deadlines: Deadlines(total: .seconds(5), perAttempt: .seconds(5)))
        let task = Task {
            try await executor.execute(scripted(["gpt-4.1": [.answerAfter(.seconds(60))]], calls: calls))
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(5))
        let error = await thrownError { try await task.value }
        #expect((error as? ResilienceError)?.code.isDeadlineExceeded == true)
        #expect(calls.all == ["gpt-4.1"], "no time left for another model")
    }

    @Test func invalidChainsAreRejected() {
        #expect(throws: ResilienceError.self) { try executor(ModelChain([])) }
        #expect(throws: ResilienceError.self) { try executor(ModelChain([.init("m", upstream: "u", maxAttempts: 0)])) }
        #expect(throws: ResilienceError.self) {
            try executor(ModelChain([.init("m", upstream: "u")], maxTotalAttempts: 0))
        }
    }
}
