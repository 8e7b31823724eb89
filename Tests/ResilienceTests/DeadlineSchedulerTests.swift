import Canary
import Testing

@testable import Resilience

/// The shared deadline sleeper: no timer per call, nothing left behind when calls end.
@Suite(.timeLimit(.minutes(1)))
struct DeadlineSchedulerTests {
    let clock = TestClock()

    @Test func manyCompletedCallsUnderALongTimeoutLeaveNoTimerPerCall() async throws {
        // Racing each attempt against its own `clock.sleep` made one sleep per call; cancelled, on
        // Linux each kept its timer (and the attempt's memory) for the whole 60 s.
        let executor = try RetryExecutor(
            policy: RetryPolicy(maxAttempts: 3), deadlines: Deadlines(total: .seconds(120), perAttempt: .seconds(60)),
            random: seeded(), clock: clock)
        let calls = 1_000
        await withTaskGroup(of: Void.self) { group in
            for call in 0..<calls {
                group.addTask { #expect((try? await executor.execute { _ in call }) == call) }
            }
        }
        for call in 0..<calls {
            #expect(try await executor.execute { _ in call } == call)
        }
        #expect(executor.deadlineScheduler.pendingCount == 0, "every call removed its deadline")
        #expect(executor.deadlineScheduler.sleeperCount == 1, "one sleeper served \(2 * calls) calls")
        await clock.base.waitForSleepers(count: 1)
        #expect(clock.base.sleeperCount == 1)
        #expect(clock.deadlines.all == [.at(.seconds(60))], "one sleep, until the first call's deadline")

        // Past its wake-up with nothing left to do, the sleeper ends by itself.
        clock.base.advance(by: .seconds(60))
        #expect(await eventually { executor.deadlineScheduler.sleeperCount == 0 })
        #expect(clock.base.sleeperCount == 0)
    }

    @Test func aDeadlineRunsItsActionOnceItPasses() async throws {
        let scheduler = DeadlineScheduler(clock: clock)
        let fired = Log<Duration>()
        scheduler.schedule(at: .at(.seconds(5))) {
            fired.append(clock.now.offset)
            return nil
        }
        await clock.advance(toSleep: .seconds(5))
        #expect(await eventually { fired.all == [.seconds(5)] })
        #expect(await eventually { scheduler.pendingCount == 0 && scheduler.sleeperCount == 0 })
    }

    @Test func aCancelledDeadlineNeverRuns() async throws {
        let scheduler = DeadlineScheduler(clock: clock)
        let fired = Log<Int>()
        let id = scheduler.schedule(at: .at(.seconds(5))) {
            fired.append(1)
            return nil
        }
        scheduler.cancel(id)
        #expect(scheduler.pendingCount == 0)
        await clock.advance(toSleep: .seconds(5))
        #expect(await eventually { scheduler.sleeperCount == 0 })
        #expect(fired.all.isEmpty)
    }

    @Test func laterDeadlinesShareTheSleeperAndAnEarlierOneGetsItsOwn() async throws {
        let scheduler = DeadlineScheduler(clock: clock)
        let fired = Log<Int>()
        for (index, seconds) in [10, 20, 30].enumerated() {
            scheduler.schedule(at: .at(.seconds(seconds))) {
                fired.append(index)
                return nil
            }
        }
        #expect(scheduler.sleeperCount == 1)
        scheduler.schedule(at: .at(.seconds(4))) {
            fired.append(3)
            return nil
        }
        #expect(scheduler.sleeperCount == 2, "an earlier deadline cannot wait for the sleeper due at 10 s")
        await clock.advance(toSleep: .seconds(4))
        #expect(await eventually { fired.all == [3] })
        await clock.advance(toSleep: .seconds(10))
        #expect(await eventually { fired.all == [3, 0] })
        await clock.advance(toSleep: .seconds(20))
        #expect(await eventually { fired.all == [3, 0, 1] })
        await clock.advance(toSleep: .seconds(30))
        #expect(await eventually { fired.all == [3, 0, 1, 2] })
        #expect(await eventually { scheduler.pendingCount == 0 && scheduler.sleeperCount == 0 })
        #expect(
            Set(clock.deadlines.all) == [.at(.seconds(4)), .at(.seconds(10)), .at(.seconds(20)), .at(.seconds(30))])
    }

    @Test func anActionCanMoveItsDeadlineOn() async throws {
        let scheduler = DeadlineScheduler(clock: clock)
        let fired = Log<String>()
        let id = scheduler.schedule(at: .at(.seconds(2))) {
            fired.append("first")
            return .init(at: .at(.seconds(20))) {
                fired.append("second")
                return nil
            }
        }
        await clock.advance(toSleep: .seconds(2))
        #expect(await eventually { fired.all == ["first"] && scheduler.pendingCount == 1 })
        scheduler.cancel(id)  // the same handle cancels the moved deadline
        #expect(scheduler.pendingCount == 0)
        clock.base.advance(by: .seconds(30))
        #expect(await eventually { scheduler.sleeperCount == 0 })
        #expect(fired.all == ["first"])
    }
}
