import Synchronization

/// How one attempt ended first: it finished, its deadline passed, or it was killed (a hedge lost).
///
/// Settled once by whichever comes first; the attempt runner waits on it instead of racing a
/// timer task against the operation.
final class AttemptRace: Sendable {
    enum Outcome: Sendable, Equatable {
        case finished
        case timedOut(ResilienceError.Code)
        case killed
    }

    private enum State {
        case pending(CheckedContinuation<Outcome, Never>?)
        case settled(Outcome)
    }

    private let state = Mutex(State.pending(nil))

    /// Settles the race unless it already is; the first outcome wins.
    func settle(_ outcome: Outcome) {
        let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard case .pending(let waiter) = state else { return nil }
            state = .settled(outcome)
            return waiter
        }
        waiter?.resume(returning: outcome)
    }

    /// The outcome, once there is one. Not cancellable on purpose: cancelling the caller cancels
    /// the operation's task, whose end settles the race.
    func outcome() async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let settled = state.withLock { state -> Outcome? in
                switch state {
                case .settled(let outcome): return outcome
                case .pending:
                    state = .pending(continuation)
                    return nil
                }
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}
