import Synchronization

/// State shared by every attempt of one call: which attempt committed, and how to stop the others.
///
/// When hedged attempts race, the first to commit wins the right to reach the
/// caller; the others are told to stop through their kill signal (a one-shot
/// wait each attempt races against its operation).
final class CallState: Sendable {
    private struct State {
        var committedAttempt: Int?
        var killWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var killed: Set<Int> = []
        var survivor: Int?
        var cancelledBeforeWaiting: Set<Int> = []
    }

    private let state = Mutex(State())

    /// The attempt that committed, if any.
    var committedAttempt: Int? { state.withLock { $0.committedAttempt } }

    /// Commits `attempt` unless another attempt already did; kills every other attempt.
    ///
    /// - Returns: whether `attempt` is the committed attempt.
    func commit(attempt: Int) -> Bool {
        let (won, toResume): (Bool, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            if let committed = state.committedAttempt { return (committed == attempt, []) }
            state.committedAttempt = attempt
            return (true, Self.killAll(except: attempt, in: &state))
        }
        for waiter in toResume { waiter.resume() }
        return won
    }

    /// Kills every attempt but `survivor`, including attempts not started yet.
    func kill(allExcept survivor: Int) {
        let waiters = state.withLock { Self.killAll(except: survivor, in: &$0) }
        for waiter in waiters { waiter.resume() }
    }

    private static func killAll(except survivor: Int, in state: inout State) -> [CheckedContinuation<Void, Never>] {
        if state.survivor == nil { state.survivor = survivor }
        let others = state.killWaiters.filter { $0.key != survivor }
        for id in others.keys {
            state.killWaiters[id] = nil
            state.killed.insert(id)
        }
        return Array(others.values)
    }

    /// Returns when `attempt` is killed, or when the waiting task is cancelled.
    func waitUntilKilled(attempt: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.killed.contains(attempt) { return true }
                    if let survivor = state.survivor, survivor != attempt {
                        state.killed.insert(attempt)
                        return true
                    }
                    if state.cancelledBeforeWaiting.remove(attempt) != nil { return true }
                    state.killWaiters[attempt] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.killWaiters.removeValue(forKey: attempt) { return waiter }
                state.cancelledBeforeWaiting.insert(attempt)
                return nil
            }
            waiter?.resume()
        }
    }

    /// Whether `attempt` was killed.
    func isKilled(attempt: Int) -> Bool { state.withLock { $0.killed.contains(attempt) } }
}
