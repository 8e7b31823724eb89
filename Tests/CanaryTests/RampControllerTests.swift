import Canary
import Foundation
import Testing

struct RampControllerTests {
    typealias Ramp = RampController<ManualClock.Instant>
    let policy = RampPolicy(minHoldTime: .seconds(120), minSamplesPerStep: 100)

    func started(_ policy: RampPolicy? = nil) throws -> Ramp {
        var ramp = Ramp(policy: policy ?? self.policy)
        try ramp.apply(.start, now: .at(0))
        return ramp
    }

    @Test func startsIdleAndStartGoesToTheInitialPercent() throws {
        var ramp = Ramp(policy: policy)
        #expect(ramp.state.phase == .idle)
        #expect(ramp.state.effectivePercent == 0)
        let event = try ramp.apply(.start, now: .at(0))
        #expect(event.from == .idle && event.to == .ramping)
        #expect(event.toPercent == 5)
        #expect(event.reason.kind == .started)
    }

    @Test func climbsTheLadderOnHealthyVerdictsAndIsPromotedAtTheMaximum() throws {
        var ramp = try started()
        var visited = [ramp.state.percent]
        var t: Int64 = 0
        while ramp.state.phase == .ramping {
            t += 120
            let decision = ramp.evaluate(
                now: .at(t), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
            let event = try #require(decision.event)
            #expect(event.time == .at(t))
            #expect(event.reason.verdict?.code == .healthy)
            visited.append(ramp.state.percent)
        }
        #expect(visited == [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 85.4296875, 100])
        #expect(ramp.state.phase == .promoted)
    }

    @Test(arguments: [(5.0, 1.5, 60.0), (10, 2, 100), (1, 1.7, 33.3), (5, 3, 7)])
    func neverExceedsTheMaximumByRounding(initial: Double, factor: Double, max: Double) throws {
        let policy = RampPolicy(
            initialPercent: initial, stepFactor: factor, maxPercent: max, minHoldTime: .zero, minSamplesPerStep: 0)
        var ramp = try started(policy)
        for t in 1...40 {
            ramp.evaluate(now: .at(Int64(t)), verdict: .fixture(.healthy), relaySamplesInStep: 0, frozen: false)
            #expect(ramp.state.percent <= max)
        }
        #expect(ramp.state.percent == max)
        #expect(ramp.state.phase == .promoted)
        #expect(policy.ladder.last == max)
        #expect(policy.ladder.allSatisfy { $0 <= max })
    }

    @Test func holdsUntilTheStepHasHeldItsMinimumTime() throws {
        var ramp = try started()
        let early = ramp.evaluate(now: .at(119), verdict: .fixture(.healthy), relaySamplesInStep: 500, frozen: false)
        #expect(early.hold == .holdingStep(remaining: .seconds(1)))
        #expect(ramp.state.percent == 5)
        let onTime = ramp.evaluate(now: .at(120), verdict: .fixture(.healthy), relaySamplesInStep: 500, frozen: false)
        #expect(onTime.event?.toPercent == 7.5)
    }

    @Test func holdsUntilTheStepHasSeenItsMinimumSamples() throws {
        var ramp = try started()
        let decision = ramp.evaluate(now: .at(600), verdict: .fixture(.healthy), relaySamplesInStep: 40, frozen: false)
        #expect(decision.hold == .needsSamples(60))
        #expect(ramp.state.percent == 5)
    }

    @Test func insufficientDataHoldsAndNeverRollsBack() throws {
        var ramp = try started()
        for t in 1...100 {
            let decision = ramp.evaluate(
                now: .at(Int64(t) * 30), verdict: .fixture(.insufficientData), relaySamplesInStep: 1000, frozen: false)
            #expect(decision.hold == .insufficientData)
        }
        #expect(ramp.state.phase == .ramping)
        #expect(ramp.state.percent == 5)
    }

    @Test func unhealthyRollsBackWhenThePolicySaysRollback() throws {
        var ramp = try started()
        ramp.evaluate(now: .at(120), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
        let decision = ramp.evaluate(
            now: .at(150), verdict: .fixture(.unhealthy), relaySamplesInStep: 10, frozen: false)
        let event = try #require(decision.event)
        #expect(event.to == .rolledBack && event.toPercent == 0 && event.fromPercent == 7.5)
        #expect(event.reason.kind == .rolledBackOnFailure)
        #expect(event.reason.verdict?.code == .successRateBelowBaseline)
        #expect(ramp.state.effectivePercent == 0)
    }

    @Test func unhealthyStepsBackOneRungWhenThePolicySaysStepBack() throws {
        var policy = self.policy
        policy.onFailure = .stepBack
        policy.maxFailedChecks = 5
        var ramp = try started(policy)
        for t in 1...3 {
            ramp.evaluate(now: .at(Int64(t) * 120), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
        }
        #expect(ramp.state.percent == 16.875)
        let back = try #require(
            ramp.evaluate(now: .at(400), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false).event)
        #expect(back.reason.kind == .steppedBack)
        #expect(ramp.state.percent == 11.25 && ramp.state.phase == .ramping)
        // The hold restarts at the lower step.
        #expect(ramp.state.stepStartedAt == .at(400))
    }

    @Test func stepBackFromTheFirstRungRollsBack() throws {
        var policy = self.policy
        policy.onFailure = .stepBack
        var ramp = try started(policy)
        let event = try #require(
            ramp.evaluate(now: .at(30), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false).event)
        #expect(event.to == .rolledBack)
    }

    @Test func unhealthyPausesWhenThePolicySaysPause() throws {
        var policy = self.policy
        policy.onFailure = .pause
        var ramp = try started(policy)
        let event = try #require(
            ramp.evaluate(now: .at(30), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false).event)
        #expect(event.to == .paused && event.reason.kind == .pausedOnFailure)
        #expect(ramp.state.percent == 5)
        // Paused: a healthy verdict does not advance.
        let hold = ramp.evaluate(now: .at(600), verdict: .fixture(.healthy), relaySamplesInStep: 1000, frozen: false)
        #expect(hold.hold == .paused)
    }

    @Test func maxFailedChecksInARowRollBackEvenWhenPaused() throws {
        var policy = self.policy
        policy.onFailure = .pause
        policy.maxFailedChecks = 3
        var ramp = try started(policy)
        ramp.evaluate(now: .at(30), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        ramp.evaluate(now: .at(60), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        #expect(ramp.state.phase == .paused)
        let third = try #require(
            ramp.evaluate(now: .at(90), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false).event)
        #expect(third.to == .rolledBack)
        #expect(third.reason.kind == .rolledBackAfterFailedChecks)
        #expect(third.reason.message.hasPrefix("3 unhealthy verdicts in a row"))
    }

    @Test func aHealthyVerdictResetsTheFailureCount() throws {
        var policy = self.policy
        policy.onFailure = .stepBack
        policy.maxFailedChecks = 2
        var ramp = try started(policy)
        ramp.evaluate(now: .at(120), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
        ramp.evaluate(now: .at(240), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
        ramp.evaluate(now: .at(270), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        #expect(ramp.state.consecutiveFailures == 1)
        ramp.evaluate(now: .at(300), verdict: .fixture(.healthy), relaySamplesInStep: 0, frozen: false)
        #expect(ramp.state.consecutiveFailures == 0)
        ramp.evaluate(now: .at(330), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        #expect(ramp.state.phase == .ramping)
    }

    @Test func frozenRampDoesNotMove() throws {
        var ramp = try started()
        let decision = ramp.evaluate(
            now: .at(600), verdict: .fixture(.unhealthy), relaySamplesInStep: 1000, frozen: true)
        #expect(decision.hold == .frozen && decision.event == nil)
        #expect(ramp.state.percent == 5 && ramp.state.consecutiveFailures == 0)
    }

    @Test func manualCommandsMoveTheRampAndRecordWhy() throws {
        var ramp = try started()
        let promote = try ramp.apply(.promote, now: .at(10), reason: "looks fine")
        #expect(promote.toPercent == 7.5 && promote.reason.kind == .manualPromote)
        #expect(promote.reason.message.contains("looks fine"))
        let pause = try ramp.apply(.pause, now: .at(20))
        #expect(pause.to == .paused && ramp.state.percent == 7.5)
        let resume = try ramp.apply(.resume, now: .at(30))
        #expect(resume.to == .ramping && ramp.state.percent == 7.5)
        let set = try ramp.apply(.setPercent(40), now: .at(40))
        #expect(set.toPercent == 40 && ramp.state.phase == .ramping)
        #expect(ramp.nextPercent(after: 40) == 56.953125)
        let rollback = try ramp.apply(.rollback, now: .at(50), reason: "pager")
        #expect(rollback.to == .rolledBack && rollback.toPercent == 0)
        let restart = try ramp.apply(.resume, now: .at(60))
        #expect(restart.to == .ramping && restart.toPercent == 5)
        let top = try ramp.apply(.setPercent(100), now: .at(70))
        #expect(top.to == .promoted)
    }

    @Test(arguments: [
        (RampCommand.resume, "only a paused or rolled-back rollout can be resumed"),
        (.setPercent(120), "percent must be between 0"),
        (.setPercent(-1), "percent must be between 0"),
        (.start, "already started"),
    ])
    func commandsTheCurrentPhaseDoesNotAllowAreRefusedWithAReason(command: RampCommand, message: String) throws {
        var ramp = try started()
        let error = try #require(throws: RampCommandError.self) { try ramp.apply(command, now: .at(1)) }
        #expect(error.description.contains(message))
        #expect(error.phase == .ramping)
        #expect(ramp.state.percent == 5)
    }

    @Test func pauseIsRefusedWhenRolledBackAndPromoteWhenPaused() throws {
        var ramp = try started()
        try ramp.apply(.pause, now: .at(1))
        #expect(throws: RampCommandError.self) { try ramp.apply(.promote, now: .at(2)) }
        try ramp.apply(.rollback, now: .at(3))
        #expect(throws: RampCommandError.self) { try ramp.apply(.pause, now: .at(4)) }
        #expect(throws: RampCommandError.self) { try ramp.apply(.rollback, now: .at(5)) }
    }

    @Test func stateRoundTripsThroughCodableSoARestartResumesWhereItStood() throws {
        var ramp = try started()
        ramp.evaluate(now: .at(120), verdict: .fixture(.healthy), relaySamplesInStep: 100, frozen: false)
        let data = try JSONEncoder().encode(ramp.state)
        let restored = try JSONDecoder().decode(RampState<ManualClock.Instant>.self, from: data)
        let resumed = Ramp(policy: policy, state: restored)
        #expect(resumed.state == ramp.state)
        #expect(resumed.state.percent == 7.5)
    }
}
