import Synchronization

/// A clock that moves only when told to: virtual time for tests, the simulator and the demo.
///
/// Every Shepherd component that waits, windows or schedules is generic over a
/// `Clock`. In production that is `ContinuousClock`; in tests and in
/// `shepherd simulate` it is a `ManualClock`, so that an hour of traffic runs in
/// milliseconds and every run is the same.
///
/// Sleepers are resumed, in deadline order, when ``advance(by:)`` or
/// ``advance(to:)`` moves the clock past their deadline. A test that needs a
/// task to be parked in `sleep` before moving time awaits
/// ``waitForSleepers(count:)`` instead of sleeping on the real clock.
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

    private struct State {
        var now: Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var cancelledBeforeRegistering: Set<UInt64> = []
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let ready = sleeperWaiters.filter { $0.count <= sleepers.count }.map(\.continuation)
            sleeperWaiters.removeAll { $0.count <= sleepers.count }
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

    /// The number of tasks currently suspended in ``sleep(until:tolerance:)``.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

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

    /// Moves the clock forward and wakes every sleeper whose deadline has passed.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock cannot go backwards")
        advance(to: now.advanced(by: duration))
    }

    /// Moves the clock to `instant` (never backwards) and wakes every sleeper whose deadline has passed.
    public func advance(to instant: Instant) {
        let due: [Sleeper] = state.withLock { state in
            guard instant > state.now else { return [] }
            state.now = instant
            let dueIDs = state.sleepers.filter { $0.value.deadline <= instant }.keys
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0) }.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    ///
    /// This is how a test knows that the code under test has reached its wait,
    /// without sleeping on the real clock.
    public func waitForSleepers(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
