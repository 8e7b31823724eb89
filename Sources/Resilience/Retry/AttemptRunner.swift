/// Runs one attempt bounded by its timeout and the total deadline, optionally killable.
///
/// The operation runs in a child task; the caller waits on an ``AttemptRace`` that the
/// operation, the attempt's deadline (an entry in the executor's shared ``DeadlineScheduler``,
/// never a timer of its own) or the kill signal settles, whichever comes first. A deadline or
/// a kill cancels the child, which structured concurrency then waits for. A per-attempt
/// deadline that passes after the attempt committed no longer applies: the entry moves on to
/// the total deadline instead.
struct AttemptRunner<C: DeadlineClock> where C.Duration == Duration {
    let clock: C
    /// Where the attempt's deadline is registered (shared by every call of one executor).
    let scheduler: DeadlineScheduler<C>

    init(scheduler: DeadlineScheduler<C>) {
        self.clock = scheduler.clock
        self.scheduler = scheduler
    }

    /// Whether an attempt that ended at the given result was cut by the total deadline.
    static func cutByTotalDeadline(_ error: any Error) -> Bool {
        if let error = error as? ResilienceError, case .deadlineExceeded = error.code { return true }
        return false
    }

    func run<T: Sendable>(
        context: AttemptContext,
        perAttemptTimeout: Duration?,
        totalDeadline: C.Instant?,
        killable: Bool,
        operation: @escaping @Sendable (AttemptContext) async throws -> T
    ) async -> Result<T, any Error> {
        let start = clock.now
        var ownDeadline = perAttemptTimeout.map { start.advanced(by: $0) }
        if let total = totalDeadline, let perAttempt = ownDeadline, total <= perAttempt {
            ownDeadline = nil  // the total deadline binds first: one deadline for it suffices
        }
        let attemptDeadline = ownDeadline
        if attemptDeadline == nil, totalDeadline == nil, !killable {
            do { return .success(try await operation(context)) } catch { return .failure(error) }
        }
        if let totalDeadline, totalDeadline <= start {
            return .failure(ResilienceError(.deadlineExceeded))
        }
        let race = AttemptRace()
        return await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                let result: Result<T, any Error>
                do { result = .success(try await operation(context)) } catch { result = .failure(error) }
                race.settle(.finished)
                return result
            }
            if killable {
                group.addTask {
                    await context.call.waitUntilKilled(attempt: context.attempt)
                    if context.call.isKilled(attempt: context.attempt) { race.settle(.killed) }
                    return nil
                }
            }
            let deadline = scheduleDeadline(
                race: race, context: context, attemptDeadline: attemptDeadline, totalDeadline: totalDeadline)
            let outcome = await race.value()
            if let deadline { scheduler.cancel(deadline) }
            if outcome != .finished { group.cancelAll() }
            var operationResult: Result<T, any Error>?
            while let next = await group.next() {
                if let next {
                    operationResult = next
                    group.cancelAll()  // the kill wait, if any, is no longer needed
                }
            }
            switch outcome {
            case .finished:
                return operationResult ?? .failure(CancellationError())
            case .timedOut(let code):
                return .failure(ResilienceError(code, underlyingClass: .timeout))
            case .killed:
                return .failure(CancellationError())
            }
        }
    }

    /// Registers the attempt's deadline: the per-attempt one (which, once the attempt has
    /// committed, moves on to the total deadline), else the total one.
    private func scheduleDeadline(
        race: AttemptRace, context: AttemptContext, attemptDeadline: C.Instant?, totalDeadline: C.Instant?
    ) -> DeadlineScheduler<C>.ID? {
        if let attemptDeadline {
            return scheduler.schedule(at: attemptDeadline) {
                if !context.isCommitted {
                    race.settle(.timedOut(.attemptTimedOut))
                    return nil
                }
                // Committed: the per-attempt timeout bounded the time to the first byte only.
                guard let totalDeadline else { return nil }
                return .init(at: totalDeadline) {
                    race.settle(.timedOut(.deadlineExceeded))
                    return nil
                }
            }
        }
        if let totalDeadline {
            return scheduler.schedule(at: totalDeadline) {
                race.settle(.timedOut(.deadlineExceeded))
                return nil
            }
        }
        return nil
    }
}
