/// Runs one attempt bounded by its timeout and the total deadline, optionally killable.
///
/// The operation races a timer in a task group; the loser is cancelled. A timer
/// that fires after the attempt committed no longer applies the per-attempt
/// timeout and waits for the total deadline instead.
struct AttemptRunner<C: Clock> where C.Duration == Duration {
    let clock: C

    private enum Race<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        case timedOut(ResilienceError.Code)
        case timerIdle
        case killed
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
            ownDeadline = nil  // the total deadline binds first: one timer for it suffices
        }
        let attemptDeadline = ownDeadline
        if attemptDeadline == nil, totalDeadline == nil, !killable {
            do { return .success(try await operation(context)) } catch { return .failure(error) }
        }
        if let totalDeadline, totalDeadline <= start {
            return .failure(ResilienceError(.deadlineExceeded))
        }
        let clock = self.clock
        return await withTaskGroup(of: Race<T>.self) { group in
            group.addTask {
                do { return .finished(.success(try await operation(context))) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do {
                    if let attemptDeadline {
                        try await clock.sleep(until: attemptDeadline, tolerance: nil)
                        if !context.isCommitted { return .timedOut(.attemptTimedOut) }
                        // Committed: the per-attempt timeout bounded the time to the first byte only.
                        guard let totalDeadline else { return .timerIdle }
                        try await clock.sleep(until: totalDeadline, tolerance: nil)
                        return .timedOut(.deadlineExceeded)
                    } else if let totalDeadline {
                        try await clock.sleep(until: totalDeadline, tolerance: nil)
                        return .timedOut(.deadlineExceeded)
                    }
                    return .timerIdle
                } catch {
                    return .timerIdle  // cancelled: the operation finished first
                }
            }
            if killable {
                group.addTask {
                    await context.call.waitUntilKilled(attempt: context.attempt)
                    return context.call.isKilled(attempt: context.attempt) ? .killed : .timerIdle
                }
            }
            while let outcome = await group.next() {
                switch outcome {
                case .finished(let result):
                    group.cancelAll()
                    return result
                case .timedOut(let code):
                    group.cancelAll()
                    return .failure(ResilienceError(code, underlyingClass: .timeout))
                case .killed:
                    group.cancelAll()
                    return .failure(CancellationError())
                case .timerIdle:
                    continue
                }
            }
            return .failure(CancellationError())  // unreachable: the operation always reports
        }
    }
}
