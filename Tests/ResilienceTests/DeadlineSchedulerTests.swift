import Canary
import Testing

@testable import Resilience

/// The shared deadline wake-up: no timer and no task per call, nothing left behind when calls end.
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
        #expect(executor.deadlineScheduler.isArmed, "one wake-up served \(2 * calls) calls")
        #expect(clock.base.sleeperCount == 1)
        #expect(clock.deadlines.all == [.at(.seconds(60))], "one wake-up, at the first call's deadline")

        // At its instant with nothing left to do, the wake-up arms no other.
        clock.base.advance(by: .seconds(60))
        #expect(!executor.deadlineScheduler.isArmed)
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
        #expect(fired.all == [.seconds(5)])
        #expect(scheduler.pendingCount == 0 && !scheduler.isArmed)
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
        #expect(!scheduler.isArmed)
        #expect(fired.all.isEmpty)
    }

    @Test func laterDeadlinesShareTheWakeUpAndAnEarlierOneReplacesIt() async throws {
        let scheduler = DeadlineScheduler(clock: clock)
        let fired = Log<Int>()
        for (index, seconds) in [10, 20, 30].enumerated() {
            scheduler.schedule(at: .at(.seconds(seconds))) {
                fired.append(index)
                return nil
            }
        }
        #expect(clock.base.sleeperCount == 1)
        scheduler.schedule(at: .at(.seconds(4))) {
            fired.append(3)
            return nil
        }
        #expect(clock.base.sleeperCount == 1, "the wake-up at 10 s was cancelled, not left to run")
        await clock.advance(toSleep: .seconds(4))
        #expect(fired.all == [3])
        await clock.advance(toSleep: .seconds(10))
        #expect(fired.all == [3, 0])
        await clock.advance(toSleep: .seconds(20))
        #expect(fired.all == [3, 0, 1])
        await clock.advance(toSleep: .seconds(30))
        #expect(fired.all == [3, 0, 1, 2])
        #expect(scheduler.pendingCount == 0 && !scheduler.isArmed)
        #expect(clock.base.sleeperCount == 0)
        #expect(
            clock.deadlines.all == [
                .at(.seconds(10)), .at(.seconds(4)), .at(.seconds(10)), .at(.seconds(20)), .at(.seconds(30)),
            ])
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
        #expect(fired.all == ["first"] && scheduler.pendingCount == 1)
        scheduler.cancel(id)  // the same handle cancels the moved deadline
        #expect(scheduler.pendingCount == 0)
        clock.base.advance(by: .seconds(30))
        #expect(!scheduler.isArmed)
        #expect(fired.all == ["first"])
    }

    /// The property the scheduler exists for, on the real clock (this test reads no other): a
    /// wake-up runs, and a cancelled one lets go of its action at once, not at its deadline
    /// an hour away, which a cancelled `Task.sleep` would (the suite's limit is a minute).
    @Test func aRealClockWakeUpRunsAndACancelledOneIsReleasedAtOnce() async {
        let clock = ContinuousClock()
        let ran = SettleOnce<Void>()
        _ = clock.wakeUp(at: clock.now.advanced(by: .milliseconds(20))) { ran.settle(()) }
        await ran.value()

        let released = SettleOnce<Void>()
        let wakeUp = Self.wakeUpHolding(ReleaseProbe { released.settle(()) }, on: clock)
        wakeUp.cancel()
        await released.value()
    }

    /// A wake-up an hour away whose action holds `probe` (and nothing else does).
    private static func wakeUpHolding(_ probe: ReleaseProbe, on clock: ContinuousClock) -> any ClockWakeUp {
        clock.wakeUp(at: clock.now.advanced(by: .seconds(3600))) { _ = probe }
    }
}

/// Calls `onRelease` when the last reference to it goes.
private final class ReleaseProbe: Sendable {
    let onRelease: @Sendable () -> Void
    init(_ onRelease: @escaping @Sendable () -> Void) { self.onRelease = onRelease }
    deinit { onRelease() }
}
