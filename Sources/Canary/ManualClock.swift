import Synchronization

/// A clock that moves only when told to: virtual time for tests, the simulator and the demo.
///
/// Every Shepherd component that waits, windows or schedules is generic over a
/// `Clock`. In production that is `ContinuousClock`; in tests and in
/// `shepherd simulate` it is a `ManualClock`, so that an hour of traffic runs in
/// milliseconds and every run is the same.
///
/// Sleepers are resumed, in deadline order, when ``advance(by:)`` or
/// ``advance(to:)`` moves the clock past their deadline; a wake-up
/// (``wakeUp(at:_:)``, a sleep with no task behind it) runs its action there
/// too, and counts as a sleeper. A test that needs a task to be parked in
/// `sleep` before moving time awaits ``waitForSleepers(count:)`` instead of
/// sleeping on the real clock.
///
/// ```swift
/// let clock = ManualClock()
/// let task = Task { try await clock.sleep(for: .seconds(5)) }
/// await clock.waitForSleepers(count: 1)
/// clock.advance(by: .seconds(5))   // the task's sleep returns
/// try await task.value
/// ```
public final class ManualClock: Clock, Sendable {
    /// A point in virtual time: an offset from the clock's zero.
    public typealias Instant = OffsetInstant

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct WakeUpEntry {
        var deadline: Instant
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var wakeUps: [UInt64: WakeUpEntry] = [:]
        var cancelledBeforeRegistering: Set<UInt64> = []
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        var waitingCount: Int { sleepers.count + wakeUps.count }

        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let count = waitingCount
            let ready = sleeperWaiters.filter { $0.count <= count }.map(\.continuation)
            sleeperWaiters.removeAll { $0.count <= count }
            return ready
        }
    }

    private let state: Mutex<State>

    /// Creates a clock reading `now` (zero by default).
    public init(now: Instant = Instant(offset: .zero)) {
        state = Mutex(State(now: now))
    }

    /// The current virtual time.
    public var now: Instant { state.withLock { $0.now } }

    /// Virtual time has no resolution limit.
    public var minimumResolution: Duration { .zero }

    /// The number of tasks currently suspended in ``sleep(until:tolerance:)``, and of pending
    /// ``wakeUp(at:_:)``s.
    public var sleeperCount: Int { state.withLock { $0.waitingCount } }

    /// Suspends until the clock has been advanced to `deadline`.
    ///
    /// - Throws: `CancellationError` when the sleeping task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome {
                    case parked([CheckedContinuation<Void, Never>])
                    case elapsed, cancelled
                }
                let outcome: Outcome = state.withLock { state in
                    if state.cancelledBeforeRegistering.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .elapsed }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .parked(state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .parked(let waiters):
                    for waiter in waiters { waiter.resume() }
                case .elapsed: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper.continuation }
                state.cancelledBeforeRegistering.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Runs `action` once the clock has been advanced to `instant` (at once, here, when it
    /// already reads `instant` or later): a sleep with no task behind it. Until then it counts
    /// in ``sleeperCount``.
    ///
    /// - Returns: a handle whose `cancel()` removes the wake-up; the action is then never run.
    @discardableResult
    public func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> WakeUp {
        let (id, waiters) = state.withLock { state -> (UInt64?, [CheckedContinuation<Void, Never>]) in
            guard instant > state.now else { return (nil, []) }
            let id = state.nextID
            state.nextID += 1
            state.wakeUps[id] = WakeUpEntry(deadline: instant, action: action)
            return (id, state.takeSatisfiedWaiters())
        }
        for waiter in waiters { waiter.resume() }
        guard let id else {
            action()
            return WakeUp(clock: nil, id: 0)
        }
        return WakeUp(clock: self, id: id)
    }

    /// A pending ``wakeUp(at:_:)``.
    public struct WakeUp: Sendable {
        fileprivate let clock: ManualClock?
        fileprivate let id: UInt64

        /// Removes the wake-up if it has not run; harmless once it has.
        public func cancel() {
            _ = clock?.state.withLock { $0.wakeUps.removeValue(forKey: id) }
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has passed.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock cannot go backwards")
        advance(to: now.advanced(by: duration))
    }

    /// Moves the clock to `instant` (never backwards), wakes every sleeper whose deadline has
    /// passed and runs every wake-up that is due, in deadline order.
    public func advance(to instant: Instant) {
        let due: [(deadline: Instant, wake: () -> Void)] = state.withLock { state in
            guard instant > state.now else { return [] }
            state.now = instant
            var due: [(deadline: Instant, wake: () -> Void)] = []
            for id in state.sleepers.filter({ $0.value.deadline <= instant }).keys {
                guard let sleeper = state.sleepers.removeValue(forKey: id) else { continue }
                due.append((sleeper.deadline, { sleeper.continuation.resume() }))
            }
            for id in state.wakeUps.filter({ $0.value.deadline <= instant }).keys {
                guard let wakeUp = state.wakeUps.removeValue(forKey: id) else { continue }
                due.append((wakeUp.deadline, wakeUp.action))
            }
            return due.sorted { $0.deadline < $1.deadline }
        }
        for entry in due { entry.wake() }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    ///
    /// This is how a test knows that the code under test has reached its wait,
    /// without sleeping on the real clock.
    public func waitForSleepers(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.waitingCount >= count { return true }
                state.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
