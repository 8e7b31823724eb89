public import Canary
import Dispatch

/// A clock that can run an action when it reaches an instant, with no task waiting for it: what
/// the executors set their deadlines on.
///
/// Why not `clock.sleep`: a deadline raced against an attempt is cancelled whenever the attempt
/// answers first, and on Linux a cancelled `Task.sleep` keeps its timer, and the sleeping task's
/// memory, until the original deadline (swiftlang/swift#60441; 100,000 cancelled 600 s sleeps
/// hold about 220 MB on Swift 6.3.1). A sleep that is never cancelled instead needs a task of its
/// own that outlives the calls, outside their structure. A wake-up is neither: cancelling it
/// releases it at once, and nothing waits for it.
///
/// `ContinuousClock` and `SuspendingClock` conform with a Dispatch timer, ``ManualClock`` with its
/// own list of wake-ups that ``ManualClock/advance(to:)`` runs. Another clock conforms by
/// implementing ``wakeUp(at:_:)``.
public protocol DeadlineClock: Clock where Duration == Swift.Duration {
    /// Runs `action` once the clock reads `instant` or later (soon, on some thread, when it
    /// already does), unless the returned wake-up is cancelled first.
    func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> any ClockWakeUp
}

/// A pending ``DeadlineClock/wakeUp(at:_:)``.
public protocol ClockWakeUp: Sendable {
    /// Removes the wake-up and releases its action, if it has not run; harmless once it has.
    func cancel()
}

extension ManualClock.WakeUp: ClockWakeUp {}

extension ManualClock: DeadlineClock {
    public func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> any ClockWakeUp {
        let wakeUp: ManualClock.WakeUp = wakeUp(at: instant, action)
        return wakeUp
    }
}

extension ContinuousClock: DeadlineClock {
    public func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> any ClockWakeUp {
        DispatchWakeUp(after: now.duration(to: instant), action)
    }
}

extension SuspendingClock: DeadlineClock {
    public func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> any ClockWakeUp {
        DispatchWakeUp(after: now.duration(to: instant), action)
    }
}

/// A one-shot Dispatch timer: cancelling it releases its handler at once, unlike a cancelled
/// `Task.sleep`.
final class DispatchWakeUp: ClockWakeUp {
    // Dispatch sources are not marked Sendable, but libdispatch makes `cancel()` (the only call
    // made on the timer after `init`) safe from any thread: it is an atomic flag that the
    // source's queue acts on. The timer is never rescheduled or resumed again.
    private nonisolated(unsafe) let timer: any DispatchSourceTimer

    init(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let nanoseconds = max(0, delay / .nanoseconds(1))
        let capped = min(nanoseconds, Double(Int.max / 2))
        timer.schedule(deadline: .now() + .nanoseconds(Int(capped)), leeway: .milliseconds(1))
        timer.setEventHandler { [timer] in
            timer.cancel()  // one shot: the handler, and what it holds, goes now
            action()
        }
        self.timer = timer
        timer.resume()
    }

    func cancel() { timer.cancel() }
}
