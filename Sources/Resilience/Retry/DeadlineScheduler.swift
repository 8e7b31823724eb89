import Synchronization

/// Runs actions at deadlines on a ``DeadlineClock``, with one wake-up armed at the earliest
/// deadline instead of one timer per call.
///
/// A deadline is an entry in a table, removed when its call ends. The scheduler keeps one
/// wake-up on the clock, at the earliest pending deadline: it runs the entries that are due and
/// arms the next one, or none when the table is empty. A new deadline earlier than the armed
/// one re-arms it (the old wake-up is cancelled, which releases it at once); a later one waits
/// in the table. No task is started: calls answered in time leave nothing behind, and nothing
/// outlives them (see ``DeadlineClock`` for why not a `clock.sleep` per call).
///
/// ```swift
/// let scheduler = DeadlineScheduler(clock: ContinuousClock())
/// let id = scheduler.schedule(at: .now + .seconds(60)) { timedOut(); return nil }
/// … // the call answers
/// scheduler.cancel(id)   // nothing is left behind
/// ```
final class DeadlineScheduler<C: DeadlineClock>: Sendable {
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

    /// The wake-up on the clock, at the earliest pending deadline when it was armed.
    private struct Armed {
        /// Tells a superseded wake-up's firing from the current one's.
        var generation: UInt64
        var at: C.Instant
        /// `nil` until `arm` has it back from the clock.
        var wakeUp: (any ClockWakeUp)?
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        /// Entries whose action is running now (taken out of `entries`).
        var firing: Set<UInt64> = []
        /// Firing entries cancelled meanwhile: their re-arm request is dropped.
        var cancelledWhileFiring: Set<UInt64> = []
        var armed: Armed?
        var generation: UInt64 = 0

        var earliestDeadline: C.Instant? { entries.values.lazy.map(\.deadline).min() }

        /// Claims the wake-up for `deadline` when none is armed in time for it: the generation
        /// to arm it under, and the wake-up it replaces (to cancel), if any.
        mutating func claimWakeUp(for deadline: C.Instant) -> (generation: UInt64, replaced: (any ClockWakeUp)?)? {
            if let armed, armed.at <= deadline { return nil }
            generation &+= 1
            let replaced = armed?.wakeUp
            armed = Armed(generation: generation, at: deadline, wakeUp: nil)
            return (generation, replaced)
        }
    }

    /// The clock deadlines are read on.
    let clock: C
    private let state = Mutex(State())

    /// Creates a scheduler on `clock`.
    init(clock: C) {
        self.clock = clock
    }

    deinit {
        state.withLock { $0.armed?.wakeUp }?.cancel()
    }

    /// The number of pending deadlines (for tests and diagnostics).
    var pendingCount: Int { state.withLock { $0.entries.count + $0.firing.count } }

    /// Whether a wake-up is armed on the clock (for tests and diagnostics).
    var isArmed: Bool { state.withLock { $0.armed != nil } }

    /// Waits until `deadline` on the shared wake-up: `true` when the deadline came, `false` when
    /// the waiting task was cancelled first (then the entry is gone at once, not at the deadline).
    ///
    /// What a `clock.sleep` would do, without a timer or a task per waiter: a hedge timer, say,
    /// which most calls cancel because their first attempt answered in time.
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
    /// The action runs where the clock runs its wake-ups (a Dispatch queue; for a
    /// ``ManualClock``, in `advance`), outside any lock, and must not block; it returns a
    /// follow-up deadline (a timer that moves on), or `nil`.
    @discardableResult
    func schedule(at deadline: C.Instant, _ action: @escaping Action) -> ID {
        let (id, claim) = state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(deadline: deadline, action: action)
            return (id, state.claimWakeUp(for: deadline))
        }
        if let claim { arm(at: deadline, claim) }
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

    // MARK: The wake-up

    /// Arms the wake-up claimed under `claim.generation`, and cancels the one it replaces.
    private func arm(at deadline: C.Instant, _ claim: (generation: UInt64, replaced: (any ClockWakeUp)?)) {
        claim.replaced?.cancel()
        let generation = claim.generation
        // Weak: an executor dropped with a wake-up armed goes at once, and cancels it (`deinit`).
        let wakeUp = clock.wakeUp(at: deadline) { [weak self] in self?.fire(generation) }
        let superseded = state.withLock { state -> Bool in
            guard state.armed?.generation == generation else { return true }  // fired or replaced already
            state.armed?.wakeUp = wakeUp
            return false
        }
        if superseded { wakeUp.cancel() }
    }

    /// The armed wake-up came: runs what is due, then arms the next deadline, if any.
    private func fire(_ generation: UInt64) {
        let now = clock.now
        let due: [(UInt64, Entry)]? = state.withLock { state in
            guard state.armed?.generation == generation else { return nil }  // a replaced wake-up
            state.armed = nil
            let due = state.entries.filter { $0.value.deadline <= now }
            for (id, _) in due {
                state.entries[id] = nil
                state.firing.insert(id)
            }
            return due.sorted { $0.value.deadline < $1.value.deadline }
        }
        guard let due else { return }
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
        let next = state.withLock { state -> (C.Instant, (generation: UInt64, replaced: (any ClockWakeUp)?))? in
            guard let earliest = state.earliestDeadline, let claim = state.claimWakeUp(for: earliest) else {
                return nil
            }
            return (earliest, claim)
        }
        if let (deadline, claim) = next { arm(at: deadline, claim) }
    }
}
