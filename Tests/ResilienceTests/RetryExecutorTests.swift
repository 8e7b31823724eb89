import Canary
import Testing

@testable import Resilience

@Suite(.timeLimit(.minutes(1)))
struct RetryExecutorTests {
    let clock = TestClock()

    func executor(
        maxAttempts: Int = 3, backoff: Backoff = noJitter, deadlines: Deadlines = .none, budget: RetryBudget? = nil,
        breaker: CircuitBreaker<TestClock>? = nil, unixTime: @escaping @Sendable () -> Double = { 1_000_000 },
        retriesPossiblyCompletedCalls: Bool = false
    ) throws -> RetryExecutor<TestClock> {
        try RetryExecutor(
            policy: RetryPolicy(
                maxAttempts: maxAttempts, backoff: backoff, retriesPossiblyCompletedCalls: retriesPossiblyCompletedCalls
            ),
            deadlines: deadlines, budget: budget, breaker: breaker, random: seeded(), unixTime: unixTime, clock: clock)
    }

    /// An operation failing with the given failures in turn, then succeeding; logs when each attempt started.
    func scripted(_ failures: [any Error], log: Log<Duration>) -> @Sendable (AttemptContext) async throws -> String {
        let clock = clock
        return { context in
            log.append(clock.now.offset)
            if context.attempt <= failures.count { throw failures[context.attempt - 1] }
            return "ok on attempt \(context.attempt)"
        }
    }

    @Test func succeedsWithoutRetryingWhenTheFirstCallSucceeds() async throws {
        let log = Log<Duration>()
        let value = try await executor().execute(scripted([], log: log))
        #expect(value == "ok on attempt 1")
        #expect(log.count == 1)
    }

    @Test func retriesRetryableFailuresWithExponentialBackoff() async throws {
        let log = Log<Duration>()
        let executor = try executor()
        let operation = scripted([UpstreamFailure(.serverError), UpstreamFailure(.connection)], log: log)
        let task = Task { try await executor.execute(operation) }
        await clock.advance(toSleep: .seconds(1))  // back-offs of 1 s, then 2 s
        await clock.advance(toSleep: .seconds(3))
        #expect(try await task.value == "ok on attempt 3")
        #expect(log.all == [.zero, .seconds(1), .seconds(3)])
    }

    @Test func maxAttemptsCountsTheFirstCallAndRethrowsTheLastError() async throws {
        let log = Log<Duration>()
        let executor = try executor(maxAttempts: 2)
        let operation = scripted(Array(repeating: UpstreamFailure(.serverError), count: 5), log: log)
        let task = Task { try await executor.execute(operation) }
        await clock.advance(toSleep: .seconds(1))
        let error = await thrownError { try await task.value }
        #expect(error as? UpstreamFailure == UpstreamFailure(.serverError))
        #expect(log.count == 2)
    }

    @Test(
        "never retries classes the table marks non-retryable",
        arguments: [FailureClass.clientError, .authError, .cancelled, .other])
    func neverRetriesNonRetryableClasses(failureClass: FailureClass) async throws {
        let log = Log<Duration>()
        let error = await thrownError {
            try await executor().execute(scripted([UpstreamFailure(failureClass)], log: log))
        }
        #expect(error as? UpstreamFailure == UpstreamFailure(failureClass), "surfaced as it is")
        #expect(log.count == 1)
    }

    @Test func unclassifiedErrorsAreNotRetried() async throws {
        let log = Log<Duration>()
        let error = await thrownError { try await executor().execute(scripted([MysteryError()], log: log)) }
        #expect(error is MysteryError)
        #expect(log.count == 1)
    }

    @Test func retryAfterSecondsIsHonoured() async throws {
        let log = Log<Duration>()
        let executor = try executor()
        let operation = scripted([UpstreamFailure(.rateLimited, retryAfter: RetryAfter(headerValue: "7"))], log: log)
        let task = Task { try await executor.execute(operation) }
        await clock.advance(toSleep: .seconds(7))  // the 7 s asked, not the 1 s back-off
        _ = try await task.value
        #expect(log.all == [.zero, .seconds(7)])
    }

    @Test func retryAfterHttpDateIsHonoured() async throws {
        let log = Log<Duration>()
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777; the wall clock reads 12 s before it.
        let date = try #require(RetryAfter(headerValue: "Sun, 06 Nov 1994 08:49:37 GMT"))
        let executor = try executor(unixTime: { 784_111_765 })
        let task = Task {
            try await executor.execute(scripted([UpstreamFailure(.rateLimited, retryAfter: date)], log: log))
        }
        await clock.advance(toSleep: .seconds(12))
        _ = try await task.value
        #expect(log.all == [.zero, .seconds(12)])
    }

    @Test func retryAfterPastTheDeadlineGivesUpAtOnce() async throws {
        let log = Log<Duration>()
        let executor = try executor(deadlines: Deadlines(total: .seconds(30), perAttempt: nil))
        let failure = UpstreamFailure(.rateLimited, retryAfter: .delay(.seconds(60)))
        let error = await thrownError { try await executor.execute(scripted([failure], log: log)) }
        let resilienceError = try #require(error as? ResilienceError)
        #expect(resilienceError.code == .retryAfterExceedsDeadline(retryAfter: .seconds(60)))
        #expect(resilienceError.underlying as? UpstreamFailure == failure)
        #expect(clock.now == .at(.zero), "gave up without waiting")
        // The deadline's shared sleeper may or may not have started its sleep by now; no back-off slept.
        #expect(
            clock.deadlines.all.allSatisfy { $0 == .at(.seconds(30)) }, "only the deadline timer, no back-off sleep")
        #expect(log.count == 1)
    }

    @Test func aTimeoutAfterTheRequestWasSentIsNotRetriedByDefault() async throws {
        // A 40 s answer under a 30 s limit: asking again would generate (and bill) it again.
        let log = Log<Duration>()
        let error = await thrownError {
            try await executor().execute(scripted([UpstreamFailure.timeoutAfterSending], log: log))
        }
        #expect(error as? UpstreamFailure == .timeoutAfterSending)
        #expect(log.count == 1)
        #expect(clock.deadlines.all.isEmpty, "no back-off slept")
    }

    @Test func aTimeoutAfterTheRequestWasSentIsRetriedWhenThePolicySaysSo() async throws {
        let log = Log<Duration>()
        let executor = try executor(retriesPossiblyCompletedCalls: true)
        let task = Task { try await executor.execute(scripted([UpstreamFailure.timeoutAfterSending], log: log)) }
        await clock.advance(toSleep: .seconds(1))
        #expect(try await task.value == "ok on attempt 2")
    }

    @Test func aTimeoutBeforeTheUpstreamSawTheRequestIsRetried() async throws {
        // A connect or pool timeout: nothing was generated, so trying again costs nothing.
        let log = Log<Duration>()
        let executor = try executor()
        let task = Task { try await executor.execute(scripted([UpstreamFailure(.timeout)], log: log)) }
        await clock.advance(toSleep: .seconds(1))
        #expect(try await task.value == "ok on attempt 2")
    }

    @Test func anAttemptCutByItsTimeoutIsNotRetriedByDefault() async throws {
        let (error, calls) = try await hangingAttempt(
            maxAttempts: 3, Deadlines(total: .seconds(100), perAttempt: .seconds(2)), cutAt: .seconds(2))
        #expect(error?.code.isAttemptTimedOut == true)
        #expect(calls == [1])
    }

    /// Runs a call whose attempts each sleep for a minute, moves the clock to `cut` (where a
    /// deadline ends it) and returns the call's error and the attempts made.
    func hangingAttempt(maxAttempts: Int, _ deadlines: Deadlines, cutAt cut: Duration) async throws
        -> (ResilienceError?, [Int])
    {
        let clock = clock
        let (error, calls) = try await hangingCall(maxAttempts: maxAttempts, deadlines) { _ in
            await clock.advance(toSleep: cut)
        }
        return (error as? ResilienceError, calls)
    }

    /// Runs a call whose attempts each sleep for a minute until `interrupt` ends it; returns the
    /// call's error and the attempts made.
    func hangingCall(
        maxAttempts: Int, _ deadlines: Deadlines = .none, interrupt: (Task<Void, any Error>) async -> Void
    ) async throws -> ((any Error)?, [Int]) {
        let executor = try executor(maxAttempts: maxAttempts, deadlines: deadlines)
        let calls = Log<Int>()
        let clock = clock
        let task = Task {
            try await executor.execute { context in
                calls.append(context.attempt)
                try await clock.sleep(for: .seconds(60))
            }
        }
        await interrupt(task)
        let error = await thrownError { try await task.value }
        return (error, calls.all)
    }

    @Test func perAttemptTimeoutCancelsTheAttemptAndRetriesWhenThePolicySaysSo() async throws {
        let executor = try executor(
            deadlines: Deadlines(total: .seconds(100), perAttempt: .seconds(2)), retriesPossiblyCompletedCalls: true)
        let cancelled = Log<Int>()
        let clock = clock
        let task = Task {
            try await executor.execute { context in
                if context.attempt == 1 {
                    do { try await clock.sleep(for: .seconds(50)) } catch {
                        cancelled.append(context.attempt)
                        throw error
                    }
                }
                return context.attempt
            }
        }
        await clock.advance(toSleep: .seconds(2))  // the timer fires: attempt cancelled, back-off 1 s
        await clock.advance(toSleep: .seconds(3))
        #expect(try await task.value == 2)
        #expect(cancelled.all == [1], "the timed-out attempt was cancelled")
        #expect(clock.now == .at(.seconds(3)))
    }

    @Test func attemptTimeoutSurfacesWhenAttemptsRunOut() async throws {
        let (error, _) = try await hangingAttempt(
            maxAttempts: 1, Deadlines(total: nil, perAttempt: .seconds(2)), cutAt: .seconds(2))
        #expect(error?.code.isAttemptTimedOut == true)
    }

    @Test func totalDeadlineBoundsAnAttemptAndIsNotRetried() async throws {
        let (error, calls) = try await hangingAttempt(
            maxAttempts: 5, Deadlines(total: .seconds(5), perAttempt: .seconds(5)), cutAt: .seconds(5))
        #expect(error?.code.isDeadlineExceeded == true)
        #expect(calls == [1])
    }

    @Test func backoffSleepsCountAgainstTheTotalDeadline() async throws {
        // Attempts fail at once; back-offs 1 s, 2 s, 4 s: the third would end at 7 s > 6 s.
        let log = Log<Duration>()
        let executor = try executor(maxAttempts: 10, deadlines: Deadlines(total: .seconds(6), perAttempt: nil))
        let task = Task {
            try await executor.execute(scripted(Array(repeating: UpstreamFailure(.timeout), count: 10), log: log))
        }
        await clock.advance(toSleep: .seconds(1))
        await clock.advance(toSleep: .seconds(3))
        let error = await thrownError { try await task.value }
        let resilienceError = try #require(error as? ResilienceError)
        #expect(resilienceError.code.isDeadlineExceeded)
        #expect(resilienceError.underlyingClass == .timeout)
        #expect(log.all == [.zero, .seconds(1), .seconds(3)])
        #expect(clock.now == .at(.seconds(3)), "gave up rather than sleeping past the deadline")
    }

    @Test func attemptTimeoutLongerThanTotalIsRejected() {
        #expect(throws: ResilienceError.self) { try Deadlines(total: .seconds(5), perAttempt: .seconds(10)) }
        #expect(throws: ResilienceError.self) { try Deadlines(total: .zero, perAttempt: nil) }
        #expect(throws: ResilienceError.self) { try RetryPolicy(maxAttempts: 0).validate() }
        #expect(throws: ResilienceError.self) {
            try RetryExecutor(policy: RetryPolicy(maxAttempts: 0), clock: ManualClock())
        }
    }

    @Test func cancellationIsNeverRetried() async throws {
        let clock = clock
        let (error, calls) = try await hangingCall(maxAttempts: 5) { task in
            await eventually { clock.deadlines.all.contains(.at(.seconds(60))) }
            task.cancel()
        }
        #expect(error is CancellationError)
        #expect(calls == [1])
    }

    @Test func cancellationDuringBackoffStopsRetrying() async throws {
        let log = Log<Duration>()
        let executor = try executor(maxAttempts: 5)
        let task = Task { try await executor.execute(scripted([UpstreamFailure(.serverError)], log: log)) }
        await eventually { clock.deadlines.all.contains(.at(.seconds(1))) }  // in the back-off
        task.cancel()
        let error = await thrownError { try await task.value }
        #expect(error is CancellationError)
        #expect(log.count == 1)
    }

    @Test func neverRetriesAfterStreamCommitted() async throws {
        let calls = Log<Int>()
        let error = await thrownError {
            try await executor(maxAttempts: 5).execute { context in
                calls.append(context.attempt)
                #expect(context.commit())
                throw UpstreamFailure(.connection)  // the stream was cut after its first byte
            }
        }
        #expect(error as? UpstreamFailure == UpstreamFailure(.connection), "surfaces as it is")
        #expect(calls.all == [1])
    }

    @Test func failureBeforeCommitIsStillRetried() async throws {
        let executor = try executor(maxAttempts: 2, backoff: Backoff(initial: .nanoseconds(1), jitter: .none))
        let task = Task {
            try await executor.execute { context in
                if context.attempt == 1 { throw UpstreamFailure(.connection) }
                context.commit()
                return context.attempt
            }
        }
        await clock.advance(toSleep: .nanoseconds(1))
        #expect(try await task.value == 2)
    }

    @Test func commitLiftsThePerAttemptTimeoutButNotTheTotalDeadline() async throws {
        let executor = try executor(deadlines: Deadlines(total: .seconds(20), perAttempt: .seconds(2)))
        let clock = clock
        let task = Task {
            try await executor.execute { context in
                context.commit()  // first byte delivered at once; the stream runs 10 s
                try await clock.sleep(for: .seconds(10))
                return "streamed"
            }
        }
        // The stream's 10 s sleep comes after its commit: once it is set, the commit has happened,
        // and the per-attempt deadline may pass (without this wait a loaded machine could pass it
        // before the child task ran at all, and the attempt timed out).
        #expect(await eventually { clock.deadlines.all.contains(.at(.seconds(10))) })
        await clock.advance(toSleep: .seconds(2))  // past the per-attempt timeout: the stream goes on
        await clock.advance(toSleep: .seconds(10))
        #expect(try await task.value == "streamed")
        #expect(clock.deadlines.all.contains(.at(.seconds(20))), "the timer moved on to the total deadline")
    }

    @Test func retryBudgetStopsRetriesDuringOutage() async throws {
        let budget = try RetryBudget(maxTokens: 4, tokenRatio: 0.5)
        let executor = try executor(
            maxAttempts: 3, backoff: Backoff(initial: .nanoseconds(1), jitter: .none), budget: budget)
        let calls = Log<Int>()
        let operation: @Sendable (AttemptContext) async throws -> Int = { context in
            calls.append(context.attempt)
            throw UpstreamFailure(.serverError)
        }
        let first = Task { try await executor.execute(operation) }
        await clock.advance(toSleep: .nanoseconds(1))
        var errors: [any Error] = []
        if let error = await thrownError({ try await first.value }) { errors.append(error) }
        for _ in 0..<2 {
            if let error = await thrownError({ try await executor.execute(operation) }) { errors.append(error) }
        }
        // Call 1: fails (4→3), retry allowed (3 > 2), fails (→2), retry refused: budget spent.
        // Calls 2 and 3: one attempt each, then fail fast.
        #expect(calls.count == 4, "without the budget this outage would have cost 9 calls")
        #expect(errors.allSatisfy { ($0 as? ResilienceError)?.code.isBudgetExhausted == true })
        #expect(budget.deniedRetryCount == 3)
    }

    @Test func openBreakerRejectsWithoutCallingAndSaysWhenToTryAgain() async throws {
        let config = CircuitBreakerConfiguration(consecutiveFailureThreshold: 2, openDuration: .constant(.seconds(30)))
        let breaker = try CircuitBreaker(name: "upstream", configuration: config, clock: clock)
        let executor = try executor(maxAttempts: 5, breaker: breaker)
        let calls = Log<Int>()
        let task = Task {
            try await executor.execute { context -> Int in
                calls.append(context.attempt)
                throw UpstreamFailure(.serverError)
            }
        }
        await clock.advance(toSleep: .seconds(1))  // the second failure, at 1 s, opens the breaker until 31 s
        await clock.advance(toSleep: .seconds(3))
        let error = await thrownError { try await task.value }
        #expect(calls.count == 2, "the breaker opened after two failures and refused the third attempt")
        #expect((error as? ResilienceError)?.code == .circuitOpen(retryAfter: .seconds(28)))
        #expect(breaker.state == .open)
    }

    @Test func rateLimitRetryAfterHoldsTheBreakerOpenUntilThen() async throws {
        let breaker = try CircuitBreaker(name: "upstream", clock: clock)
        let log = Log<Duration>()
        let executor = try executor(breaker: breaker)
        let operation = scripted([UpstreamFailure(.rateLimited, retryAfter: .delay(.seconds(5)))], log: log)
        let task = Task { try await executor.execute(operation) }
        await eventually { clock.deadlines.all.contains(.at(.seconds(5))) }
        #expect(breaker.state == .open)
        #expect(throws: ResilienceError.self) { try breaker.acquire() }
        await clock.advance(toSleep: .seconds(5))
        _ = try await task.value  // the retry at the Retry-After instant is the half-open trial
        #expect(log.all == [.zero, .seconds(5)])
    }
}
