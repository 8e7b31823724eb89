import Canary
import Synchronization
import Testing

@testable import Resilience

/// An upstream failure of a given class, as upstream clients throw them.
struct UpstreamFailure: ClassifiedFailure, Equatable {
    var failureClass: FailureClass
    var retryAfter: RetryAfter?
    var upstreamMayHaveCompleted: Bool

    init(_ failureClass: FailureClass, retryAfter: RetryAfter? = nil, upstreamMayHaveCompleted: Bool = false) {
        self.failureClass = failureClass
        self.retryAfter = retryAfter
        self.upstreamMayHaveCompleted = upstreamMayHaveCompleted
    }

    /// A timeout once the request was sent: the upstream may be generating the answer.
    static let timeoutAfterSending = UpstreamFailure(.timeout, upstreamMayHaveCompleted: true)
}

/// An error nobody classified.
struct MysteryError: Error {}

/// A thread-safe log of values, for counting calls and collecting events.
final class Log<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}

/// Offsets of the manual clock, in a readable unit.
extension ManualClock.Instant {
    static func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }
}

extension ResilienceError.Code {
    var isDeadlineExceeded: Bool { if case .deadlineExceeded = self { true } else { false } }
    var isAttemptTimedOut: Bool { if case .attemptTimedOut = self { true } else { false } }
    var isBudgetExhausted: Bool { if case .budgetExhausted = self { true } else { false } }
}

/// Runs `body` and returns the error it threw (failing the test if it did not throw).
func thrownError<T>(_ body: () async throws -> T) async -> (any Error)? {
    do {
        _ = try await body()
        Issue.record("expected an error")
        return nil
    } catch {
        return error
    }
}

let noJitter = Backoff(initial: .seconds(1), multiplier: 2, maximum: .seconds(30), jitter: .none)

func seeded(_ seed: UInt64 = 1) -> SharedRandomGenerator { SharedRandomGenerator(SeededGenerator(seed: seed)) }

/// A `ManualClock` that also logs every deadline slept or set a wake-up until, so a test can
/// wait for a specific one (say, the back-off ending at 3 s) instead of counting sleepers,
/// which is ambiguous while attempt timers come and go.
final class TestClock: DeadlineClock, Sendable {
    typealias Instant = ManualClock.Instant
    let base = ManualClock()
    let deadlines = Log<Instant>()

    var now: Instant { base.now }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        deadlines.append(deadline)
        try await base.sleep(until: deadline, tolerance: tolerance)
    }

    func wakeUp(at instant: Instant, _ action: @escaping @Sendable () -> Void) -> any ClockWakeUp {
        deadlines.append(instant)
        let wakeUp: ManualClock.WakeUp = base.wakeUp(at: instant, action)
        return wakeUp
    }

    /// Waits until some task sleeps, or a wake-up is set, until `offset`, then moves the clock there.
    ///
    /// A sleep requested (or a wake-up set) after the move returns (runs) at once, so there is no
    /// race. If nothing ever waits until exactly `offset`, the test fails instead of hanging.
    func advance(toSleep offset: Duration, sourceLocation: SourceLocation = #_sourceLocation) async {
        let target = Instant(offset: offset)
        let found = await eventually { self.deadlines.all.contains(target) }
        if !found {
            Issue.record("nobody slept until \(target); sleeps: \(deadlines.all)", sourceLocation: sourceLocation)
        }
        base.advance(to: target)
    }
}

/// Yields (never sleeps) until `condition` holds; `false` if it never did within the bound.
@discardableResult
func eventually(_ condition: @Sendable () -> Bool) async -> Bool {
    for _ in 0..<200_000 {
        if condition() { return true }
        await Task.yield()
    }
    return condition()
}
