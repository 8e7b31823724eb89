import Synchronization

/// Runs actions at deadlines on a generic `Clock`, with one shared sleeper instead of one timer per call.
///
/// Why not a `clock.sleep` per attempt raced against the attempt: on Linux a cancelled
/// `Task.sleep` keeps its timer, and the sleeping task's memory with it, until the original
/// deadline (swiftlang/swift#60441). An executor that races every attempt against a 60 s
/// timer and cancels the timer when the attempt answers in 2 ms therefore holds 60 s worth of
/// dead timers: under load that is hundreds of megabytes. Here a deadline is an entry in a
/// table, removed when the call ends, and a sleeper is never cancelled: it sleeps until the
/// earliest deadline it was started for, runs the entries that are due, and sleeps on to the
/// next one or ends when there is none.
///
/// A new sleeper is started only for a deadline earlier than every pending sleeper's wake-up.
/// With uniform timeouts each new deadline is later than the ones before it, so under steady
/// load one sleeper serves every call; when traffic stops it ends at its last wake-up.
///
/// The sleeper is the only task this type starts: it holds no request state (only the
/// entries, which their calls remove), and it ends by itself; it is not cancelled, precisely
/// because a cancelled sleep is what this type exists to avoid.
///
/// ```swift
/// let scheduler = DeadlineScheduler(clock: ContinuousClock())
/// let id = scheduler.schedule(at: .now + .seconds(60)) { timedOut(); return nil }
/// … // the call answers
/// scheduler.cancel(id)   // nothing is left behind
/// ```
final class DeadlineScheduler<C: Clock>: Sendable {
    /// What an action asks for once it has run: nothing more (`nil`), or another action at a later instant.
    typealias Action = @Sendable () -> Rearm?

    /// A follow-up deadline an action asks for (a timer that moves on), under the same ``ID``.
    struct Rearm: Sendable {
        var at: C.Instant
        var action: Action
    }

    /// A scheduled deadline's handle.
    struct ID: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    private struct Entry {
        var deadline: C.Instant
        var action: Action
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        /// Entries whose action is running now (taken out of `entries`).
        var firing: Set<UInt64> = []
        /// Firing entries cancelled meanwhile: their re-arm request is dropped.
        var cancelledWhileFiring: Set<UInt64> = []
        /// When each pending sleeper wakes up (a few at most).
        var sleeperWakeUps: [C.Instant] = []

        var earliestWakeUp: C.Instant? { sleeperWakeUps.min() }

        var earliestDeadline: C.Instant? { entries.values.lazy.map(\.deadline).min() }

        /// Whether a deadline needs a sleeper of its own (none wakes up in time for it).
        func needsSleeper(for deadline: C.Instant) -> Bool {
            guard let earliest = earliestWakeUp else { return true }
            return deadline < earliest
        }

        mutating func removeWakeUp(_ instant: C.Instant) {
            if let index = sleeperWakeUps.firstIndex(of: instant) { sleeperWakeUps.remove(at: index) }
        }
    }

    /// The clock deadlines are read on.
    let clock: C
    private let state = Mutex(State())

    /// Creates a scheduler on `clock`.
    init(clock: C) {
        self.clock = clock
    }

    /// The number of pending deadlines (for tests and diagnostics).
    var pendingCount: Int { state.withLock { $0.entries.count + $0.firing.count } }

    /// The number of sleepers waiting on the clock (for tests and diagnostics).
    var sleeperCount: Int { state.withLock { $0.sleeperWakeUps.count } }

    /// Waits until `deadline` on the shared sleeper: `true` when the deadline came, `false` when
    /// the waiting task was cancelled first (then the entry is gone at once, not at the deadline).
    ///
    /// What a `clock.sleep` would do, without a timer per waiter: a hedge timer, say, which
    /// most calls cancel because their first attempt answered in time.
    func wait(until deadline: C.Instant) async -> Bool {
        let signal = SettleOnce<Bool>()
        let id = schedule(at: deadline) {
            signal.settle(true)
            return nil
        }
        return await withTaskCancellationHandler {
            await signal.value()
        } onCancel: {
            self.cancel(id)
            signal.settle(false)
        }
    }

    /// Runs `action` once `deadline` has passed, unless ``cancel(_:)`` is called first.
    ///
    /// The action runs on the sleeper's task, outside any lock; it returns a follow-up deadline
    /// (a timer that moves on), or `nil`.
    @discardableResult
    func schedule(at deadline: C.Instant, _ action: @escaping Action) -> ID {
        let (id, startSleeper) = state.withLock { state -> (UInt64, Bool) in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(deadline: deadline, action: action)
            guard state.needsSleeper(for: deadline) else { return (id, false) }
            state.sleeperWakeUps.append(deadline)
            return (id, true)
        }
        if startSleeper { startSleeping(until: deadline) }
        return ID(value: id)
    }

    /// Removes a deadline; its action will not run (again). Cancelling twice is harmless.
    func cancel(_ id: ID) {
        state.withLock { state in
            if state.entries.removeValue(forKey: id.value) == nil, state.firing.contains(id.value) {
                state.cancelledWhileFiring.insert(id.value)
            }
        }
    }

    // MARK: The sleeper

    private func startSleeping(until wakeUp: C.Instant) {
        // See the type's discussion: the one task this type starts, never cancelled, ends by itself.
        // Detached, so that it carries none of the scheduling call's task-local values.
        Task.detached { [self] in await sleepLoop(firstWakeUp: wakeUp) }
    }

    private func sleepLoop(firstWakeUp: C.Instant) async {
        var wakeUp = firstWakeUp
        while true {
            // Never cancelled (see above); should the task be cancelled anyway, the loop
            // still runs what is due and hands on, only sooner.
            try? await clock.sleep(until: wakeUp, tolerance: nil)
            let now = clock.now
            let due: [(UInt64, Entry)] = state.withLock { state in
                state.removeWakeUp(wakeUp)
                let due = state.entries.filter { $0.value.deadline <= now }
                for (id, _) in due {
                    state.entries[id] = nil
                    state.firing.insert(id)
                }
                return due.sorted { $0.value.deadline < $1.value.deadline }
            }
            for (id, entry) in due {
                let again = entry.action()
                state.withLock { state in
                    state.firing.remove(id)
                    let cancelled = state.cancelledWhileFiring.remove(id) != nil
                    if let again, !cancelled {
                        state.entries[id] = Entry(deadline: again.at, action: again.action)
                    }
                }
            }
            let next: C.Instant? = state.withLock { state in
                guard let earliest = state.earliestDeadline else { return nil }
                // Another sleeper wakes up in time for it: this one can end.
                guard state.needsSleeper(for: earliest) else { return nil }
                state.sleeperWakeUps.append(earliest)
                return earliest
            }
            guard let next else { return }
            wakeUp = next
        }
    }
}
