import Synchronization

/// How one attempt ended first: it finished, its deadline passed, or it was killed (a hedge lost).
///
/// Settled once by whichever comes first; the attempt runner waits on it instead of racing a
/// timer task against the operation.
typealias AttemptRace = SettleOnce<AttemptOutcome>

/// What an ``AttemptRace`` is settled with.
enum AttemptOutcome: Sendable, Equatable {
    case finished
    case timedOut(ResilienceError.Code)
    case killed
}

/// A value settled once, by whichever of several parties comes first, and awaited by one waiter
/// (before or after it is settled): the attempt runner's race, a deadline wait.
final class SettleOnce<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, Never>?)
        case settled(Value)
    }

    private let state = Mutex(State.pending(nil))

    /// Settles the value; later calls change nothing.
    func settle(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard case .pending(let waiter) = state else { return nil }
            state = .settled(value)
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// The settled value, waiting for it if need be.
    func value() async -> Value {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            let settled = state.withLock { state -> Value? in
                switch state {
                case .settled(let value): return value
                case .pending:
                    state = .pending(continuation)
                    return nil
                }
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}
