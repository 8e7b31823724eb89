import Canary
import Testing

@testable import Resilience

struct CircuitBreakerStateMachineTests {
    typealias Machine = CircuitBreakerStateMachine

    static func t(_ seconds: Double) -> Machine.Instant { .init(offset: .milliseconds(Int64(seconds * 1000))) }

    static func config(
        window: CircuitBreakerConfiguration.Window = .count(10), minimumCalls: Int = 4, consecutive: Int? = nil,
        trials: Int = 2, openFor: Duration = .seconds(10)
    ) -> CircuitBreakerConfiguration {
        CircuitBreakerConfiguration(
            window: window, minimumCalls: minimumCalls, failureRateThreshold: 0.5, slowCallDuration: .seconds(5),
            slowCallRateThreshold: 0.5, consecutiveFailureThreshold: consecutive, halfOpenTrialCalls: trials,
            openDuration: .constant(openFor))
    }

    static func permit(_ machine: inout Machine, at now: Machine.Instant) -> CircuitBreakerPermit? {
        if case .permitted(let permit) = machine.acquire(at: now).decision { return permit }
        return nil
    }

    /// Records `outcomes` (true = failure) at `now`; returns the transitions they caused.
    @discardableResult
    static func record(_ machine: inout Machine, _ outcomes: [Bool], at now: Machine.Instant = t(0))
        -> [Machine.Transition]
    {
        var transitions: [Machine.Transition] = []
        for failed in outcomes {
            guard let permit = permit(&machine, at: now) else { continue }
            let transition =
                failed
                ? machine.onFailure(permit, .serverError, duration: .milliseconds(10), at: now)
                : machine.onSuccess(permit, duration: .milliseconds(10), at: now)
            if let transition { transitions.append(transition) }
        }
        return transitions
    }

    @Test func opensAfterFailureRateThresholdExceeded() throws {
        var machine = try Machine(configuration: Self.config())
        Self.record(&machine, [false, false, true])
        #expect(machine.state == .closed)
        let transitions = Self.record(&machine, [true])  // 2 of 4 = 50 % ≥ 50 %
        #expect(machine.state == .open)
        #expect(transitions.count == 1)
        #expect(transitions.first?.reason == .failureRate(0.5))
        #expect(transitions.first?.openUntil == Self.t(10))
    }

    @Test func staysClosedBelowFailureRateThreshold() throws {
        var machine = try Machine(configuration: Self.config())
        Self.record(&machine, [false, false, false, true, false, false, true, false, false, false])
        #expect(machine.state == .closed)
        #expect(machine.metrics(at: Self.t(0)).failureRate == 0.2)
    }

    @Test func doesNotJudgeBeforeMinimumNumberOfCalls() throws {
        var machine = try Machine(configuration: Self.config(minimumCalls: 4))
        Self.record(&machine, [true, true, true])
        #expect(machine.state == .closed, "3 failures of 3 calls, but the minimum is 4")
        Self.record(&machine, [false])  // the success that reaches the minimum reveals a 75 % rate
        #expect(machine.state == .open)
    }

    @Test func countWindowForgetsTheOldestCall() throws {
        var machine = try Machine(configuration: Self.config(window: .count(4)))
        Self.record(&machine, [true, false, false, false, false])  // the failure slides out
        #expect(machine.metrics(at: Self.t(0)).bufferedFailures == 0)
        #expect(machine.metrics(at: Self.t(0)).bufferedCalls == 4)
    }

    @Test func opensOnSlowCallRate() throws {
        var machine = try Machine(configuration: Self.config())
        for _ in 0..<2 {
            let permit = try #require(Self.permit(&machine, at: Self.t(0)))
            _ = machine.onSuccess(permit, duration: .milliseconds(10), at: Self.t(0))
        }
        var transition: Machine.Transition?
        for _ in 0..<2 {
            let permit = try #require(Self.permit(&machine, at: Self.t(0)))
            transition = machine.onSuccess(permit, duration: .seconds(6), at: Self.t(0))
        }
        #expect(machine.state == .open)
        #expect(transition?.reason == .slowCallRate(0.5))
    }

    @Test func opensAfterConsecutiveFailuresEvenBelowMinimumCalls() throws {
        var machine = try Machine(configuration: Self.config(window: .count(100), minimumCalls: 100, consecutive: 3))
        Self.record(&machine, [true, true, false, true, true])
        #expect(machine.state == .closed, "a success resets the run")
        let transitions = Self.record(&machine, [true])
        #expect(machine.state == .open)
        #expect(transitions.map(\.reason) == [.consecutiveFailures(3)])
    }

    @Test func timeBasedWindowJudgesOnlyRecentCalls() throws {
        var machine = try Machine(configuration: Self.config(window: .time(.seconds(10), buckets: 10)))
        Self.record(&machine, [true, true, true], at: Self.t(0))
        #expect(machine.metrics(at: Self.t(5)).bufferedCalls == 3)
        #expect(machine.metrics(at: Self.t(10.5)).bufferedCalls == 0, "the 0 s bucket has slid out")
        Self.record(&machine, [false, false, true], at: Self.t(11))  // 1 of 3 recent calls failed
        #expect(machine.state == .closed)
        Self.record(&machine, [true], at: Self.t(12))  // 2 of 4 recent calls
        #expect(machine.state == .open)
    }

    @Test func rejectedCallCarriesWhenToTryAgain() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1))
        Self.record(&machine, [true], at: Self.t(3))
        let (decision, transition) = machine.acquire(at: Self.t(4))
        #expect(decision == .rejected(retryAt: Self.t(13)))
        #expect(transition == nil)
        #expect(machine.metrics(at: Self.t(4)).counters.notPermitted == 1)
    }

    @Test func halfOpenPermitsOnlyConfiguredTrialCalls() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1, trials: 2))
        Self.record(&machine, [true])
        let (first, transition) = machine.acquire(at: Self.t(10))
        #expect(transition?.from == .open && transition?.to == .halfOpen)
        guard case .permitted(let trial) = first else {
            Issue.record("first trial rejected")
            return
        }
        #expect(trial.isTrial)
        #expect(Self.permit(&machine, at: Self.t(10)) != nil)
        #expect(machine.acquire(at: Self.t(10)).decision == .rejected(retryAt: nil), "a third trial is refused")
        #expect(machine.state == .halfOpen)
    }

    @Test func halfOpenDecidesOnlyOnceAllTrialCallsFinish() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1, trials: 3))
        Self.record(&machine, [true])
        let trials = try (0..<3).map { _ in try #require(Self.permit(&machine, at: Self.t(10))) }
        #expect(machine.onSuccess(trials[0], duration: .zero, at: Self.t(11)) == nil)
        #expect(machine.onSuccess(trials[1], duration: .zero, at: Self.t(11)) == nil)
        #expect(machine.state == .halfOpen, "two of three trials finished: still undecided")
        let transition = machine.onSuccess(trials[2], duration: .zero, at: Self.t(11))
        #expect(transition?.to == .closed)
        #expect(transition?.reason == .trialCallsSucceeded)
    }

    @Test func halfOpenReopensWhenTrialsFailAndOpenDurationBacksOff() throws {
        var config = Self.config(consecutive: 1, trials: 2)
        config.openDuration = .exponential(initial: .seconds(10), multiplier: 2, maximum: .seconds(25))
        var machine = try Machine(configuration: config)
        Self.record(&machine, [true])  // open until 10
        #expect(machine.openUntil == Self.t(10))
        Self.record(&machine, [true, false], at: Self.t(10))  // trials 50 % failed → open for 20 s
        #expect(machine.state == .open)
        #expect(machine.openUntil == Self.t(30))
        Self.record(&machine, [true, true], at: Self.t(30))  // again → 40 s capped at 25 s
        #expect(machine.openUntil == Self.t(55))
        Self.record(&machine, [false, false], at: Self.t(55))
        #expect(machine.state == .closed)
        Self.record(&machine, [true], at: Self.t(60))  // after closing the back-off starts over
        #expect(machine.openUntil == Self.t(70))
    }

    @Test func ignoredTrialCallGivesItsPermitBack() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1, trials: 1))
        Self.record(&machine, [true])
        let trial = try #require(Self.permit(&machine, at: Self.t(10)))
        #expect(Self.permit(&machine, at: Self.t(10)) == nil)
        #expect(machine.onFailure(trial, .clientError, duration: .zero, at: Self.t(10)) == nil)
        #expect(machine.state == .halfOpen, "a client error says nothing about the upstream")
        let next = try #require(Self.permit(&machine, at: Self.t(10)))
        #expect(machine.onSuccess(next, duration: .zero, at: Self.t(10))?.to == .closed)
    }

    @Test func outcomesOfCallsFromAnEarlierStateAreNotCounted() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1, trials: 1))
        let slowPermit = try #require(Self.permit(&machine, at: Self.t(0)))
        Self.record(&machine, [true])  // opens while the slow call is in flight
        let trial = try #require(Self.permit(&machine, at: Self.t(10)))
        // The slow call from the closed state finishes during half-open: it is not a trial.
        #expect(machine.onSuccess(slowPermit, duration: .seconds(10), at: Self.t(10)) == nil)
        #expect(machine.state == .halfOpen)
        #expect(machine.onFailure(trial, .timeout, duration: .zero, at: Self.t(10))?.to == .open)
    }

    @Test func heldOpenUntilARateLimitsRetryAfterInstant() throws {
        var machine = try Machine(configuration: Self.config())
        let permit = try #require(Self.permit(&machine, at: Self.t(0)))
        let transition = machine.onFailure(
            permit, .rateLimited, duration: .zero, retryAfterUntil: Self.t(42), at: Self.t(0))
        #expect(transition?.reason == .retryAfter)
        #expect(machine.acquire(at: Self.t(41.9)).decision == .rejected(retryAt: Self.t(42)))
        #expect(Self.permit(&machine, at: Self.t(42))?.isTrial == true)
    }

    @Test func aServerErrorsRetryAfterDoesNotTripTheBreakerButLengthensATrip() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 2))
        let first = try #require(Self.permit(&machine, at: Self.t(0)))
        #expect(
            machine.onFailure(first, .serverError, duration: .zero, retryAfterUntil: Self.t(42), at: Self.t(0)) == nil)
        #expect(machine.state == .closed, "one stray 503 does not shut the upstream")
        let second = try #require(Self.permit(&machine, at: Self.t(1)))
        let transition = machine.onFailure(
            second, .serverError, duration: .zero, retryAfterUntil: Self.t(42), at: Self.t(1))
        #expect(transition?.reason == .consecutiveFailures(2))
        #expect(transition?.openUntil == Self.t(42), "the trip lasts until the upstream's Retry-After")
        #expect(machine.acquire(at: Self.t(41.9)).decision == .rejected(retryAt: Self.t(42)))
    }

    @Test func holdOpenExtendsButNeverShortensAnOpenBreaker() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1))
        Self.record(&machine, [true])  // until 10
        #expect(machine.holdOpen(until: Self.t(5), at: Self.t(1)) == nil)
        #expect(machine.openUntil == Self.t(10))
        #expect(machine.holdOpen(until: Self.t(60), at: Self.t(1)) == nil, "extending is not a transition")
        #expect(machine.openUntil == Self.t(60))
    }

    @Test func forcedOpenRejectsEverythingUntilReset() throws {
        var machine = try Machine(configuration: Self.config())
        #expect(machine.forceOpen(at: Self.t(0))?.to == .forcedOpen)
        #expect(machine.forceOpen(at: Self.t(0)) == nil, "already forced: no second transition")
        #expect(machine.acquire(at: Self.t(1_000_000)).decision == .rejected(retryAt: nil))
        #expect(machine.reset(at: Self.t(1))?.to == .closed)
        #expect(Self.permit(&machine, at: Self.t(1)) != nil)
    }

    @Test func disabledPermitsEverythingAndRecordsNothing() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1))
        #expect(machine.disable(at: Self.t(0))?.to == .disabled)
        let transitions = Self.record(&machine, Array(repeating: true, count: 50))
        #expect(transitions.isEmpty)
        #expect(machine.state == .disabled)
        #expect(machine.metrics(at: Self.t(0)).bufferedCalls == 0)
    }

    @Test func everyTransitionIsReturnedOnceWithConsecutiveSequenceNumbers() throws {
        var machine = try Machine(configuration: Self.config(consecutive: 1, trials: 1))
        var transitions: [Machine.Transition] = []
        transitions += Self.record(&machine, [true], at: Self.t(0))  // closed → open
        transitions += Self.record(&machine, [false, false], at: Self.t(5))  // rejected, no transition
        transitions += Self.record(&machine, [false], at: Self.t(10))  // open → half-open → closed
        if let t = machine.acquire(at: Self.t(10)).transition { transitions.append(t) }
        #expect(transitions.map(\.to) == [.open, .closed])
        #expect(machine.metrics(at: Self.t(10)).transitions == 3, "open, half-open (from acquire), closed")
        #expect(transitions.map(\.sequence) == [1, 3])
    }

    @Test(
        "configurations that cannot work are rejected",
        arguments: [
            CircuitBreakerConfiguration(window: .count(5), minimumCalls: 10),
            CircuitBreakerConfiguration(window: .count(0)),
            CircuitBreakerConfiguration(failureRateThreshold: 0),
            CircuitBreakerConfiguration(failureRateThreshold: 1.5),
            CircuitBreakerConfiguration(consecutiveFailureThreshold: 0),
            CircuitBreakerConfiguration(halfOpenTrialCalls: 0),
            CircuitBreakerConfiguration(openDuration: .constant(.zero)),
            CircuitBreakerConfiguration(window: .time(.zero)),
        ])
    func invalidConfigurationIsRejected(configuration: CircuitBreakerConfiguration) {
        #expect(throws: ResilienceError.self) { try Machine(configuration: configuration) }
    }
}
