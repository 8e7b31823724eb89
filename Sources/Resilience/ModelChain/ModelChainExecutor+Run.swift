import Canary

extension ModelChainExecutor {
    /// The outcome of one attempt, already reported to its breaker and budget.
    struct Finished<T: Sendable>: Sendable {
        var index: Int
        var attempt: Int
        var result: Result<T, any Error>
        var failureClass: FailureClass?
        var retryAfter: Duration?
        var mayHaveCompleted = false
        var record: AttemptRecord
    }

    /// The state of one call walking the chain.
    struct Run<T: Sendable> {
        let executor: ModelChainExecutor
        let operation: @Sendable (ModelChain.Model, AttemptContext) async throws -> T
        let call: CallState
        let totalDeadline: C.Instant?
        var records: [AttemptRecord] = []
        var callsMade = 0
        var attemptsOnModel: [Int]
        var hedged = false
        var lastFailure: (error: any Error, failureClass: FailureClass)?

        init(
            executor: ModelChainExecutor, chain: ModelChain,
            operation: @escaping @Sendable (ModelChain.Model, AttemptContext) async throws -> T,
            call: CallState, totalDeadline: C.Instant?
        ) {
            self.executor = executor
            self.chain = chain
            self.operation = operation
            self.call = call
            self.totalDeadline = totalDeadline
            self.attemptsOnModel = Array(repeating: 0, count: chain.models.count)
        }

        /// The chain this call walks (the executor's own unless the caller gave one).
        let chain: ModelChain
        var clock: C { executor.clock }

        mutating func walk() async throws -> ChainResult<T> {
            var index = 0
            var pendingDelay: Duration?
            var previousDelay: Duration?
            while index < chain.models.count, callsMade < chain.maxTotalAttempts {
                try Task.checkCancellation()
                let model = chain.models[index]
                let isRetry = attemptsOnModel[index] > 0
                if isRetry {
                    guard attemptsOnModel[index] < model.maxAttempts,
                        executor.budgets.budget(for: model.upstream).tryRetry()
                    else {
                        index += 1  // this model's attempts or its upstream's budget are spent: fail over
                        pendingDelay = nil
                        previousDelay = nil
                        continue
                    }
                    let delay: Duration
                    if let pending = pendingDelay {
                        delay = pending
                    } else {
                        var generator = executor.random
                        delay = executor.backoff.delay(
                            forRetry: attemptsOnModel[index], previous: previousDelay, using: &generator)
                        previousDelay = delay
                    }
                    pendingDelay = nil
                    if let totalDeadline, clock.now.advanced(by: delay) >= totalDeadline {
                        index += 1  // waiting for this model would pass the deadline: try the next now
                        previousDelay = nil
                        continue
                    }
                    if delay > .zero { try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil) }
                }
                let breaker = executor.breakers.breaker(for: key(model))
                let permit: CircuitBreakerPermit
                do {
                    permit = try breaker.acquire()
                } catch {
                    records.append(
                        AttemptRecord(
                            model: model.name, upstream: model.upstream, outcome: .rejectedByBreaker, duration: .zero))
                    index += 1
                    continue
                }

                let finished: Finished<T>
                if executor.hedging.isEnabled, !hedged, !isRetry, callsMade + 2 <= chain.maxTotalAttempts,
                    index + 1 < chain.models.count
                {
                    finished = await hedgedRound(primary: index, permit: permit)
                } else {
                    callsMade += 1
                    finished = await attempt(
                        index: index, number: callsMade, permit: permit, isHedge: false, killable: false)
                    records.append(finished.record)
                }

                let error: any Error
                switch finished.result {
                case .success(let value):
                    let winner = chain.models[finished.index]
                    return ChainResult(
                        value: value, model: winner.name, upstream: winner.upstream, attempts: records, hedged: hedged)
                case .failure(let failure):
                    error = failure
                }
                let failureClass = finished.failureClass ?? .other
                lastFailure = (error, failureClass)
                if call.committedAttempt != nil { throw error }
                if AttemptRunner<C>.cutByTotalDeadline(error) {
                    throw ResilienceError(.deadlineExceeded, underlying: exhausted(), underlyingClass: failureClass)
                }
                if failureClass == .cancelled || !failureClass.isFailover { throw error }
                index = finished.index
                // A failure that fails over but is never retried (TLS, DNS) would fail the same
                // way on this model again, and one the upstream may have carried out is not asked
                // again: the next model is the only thing left to try.
                if chain.advancesImmediatelyOn.contains(failureClass) || !failureClass.isRetryable
                    || (!chain.retriesPossiblyCompletedCalls && finished.mayHaveCompleted)
                {
                    index += 1
                    previousDelay = nil
                } else if executor.honoursRetryAfter, let retryAfter = finished.retryAfter {
                    pendingDelay = retryAfter
                }
            }
            throw exhausted()
        }

        func exhausted() -> ResilienceError {
            ResilienceError(
                .chainExhausted(tried: records), underlying: lastFailure?.error,
                underlyingClass: lastFailure?.failureClass)
        }

        func key(_ model: ModelChain.Model) -> CircuitBreakerKey {
            CircuitBreakerKey(upstream: model.upstream, model: model.name)
        }

        /// Runs one attempt and reports it to the model's breaker and budget.
        mutating func attempt(
            index: Int, number: Int, permit: CircuitBreakerPermit, isHedge: Bool, killable: Bool
        ) async -> Finished<T> {
            attemptsOnModel[index] += 1
            return await Self.perform(
                executor: executor, chain: chain, operation: operation, call: call, totalDeadline: totalDeadline,
                index: index, number: number, permit: permit, isHedge: isHedge, killable: killable)
        }

        static func perform(
            executor: ModelChainExecutor, chain: ModelChain,
            operation: @escaping @Sendable (ModelChain.Model, AttemptContext) async throws -> T,
            call: CallState, totalDeadline: C.Instant?,
            index: Int, number: Int, permit: CircuitBreakerPermit, isHedge: Bool, killable: Bool
        ) async -> Finished<T> {
            let model = chain.models[index]
            let breaker = executor.breakers.breaker(for: CircuitBreakerKey(upstream: model.upstream, model: model.name))
            let budget = executor.budgets.budget(for: model.upstream)
            let context = AttemptContext(
                attempt: number, model: model.name, upstream: model.upstream, isHedge: isHedge, call: call)
            let start = executor.clock.now
            let result = await AttemptRunner(scheduler: executor.deadlineScheduler).run(
                context: context, perAttemptTimeout: executor.deadlines.perAttempt, totalDeadline: totalDeadline,
                killable: killable, operation: { context in try await operation(model, context) })
            let elapsed = start.duration(to: executor.clock.now)
            switch result {
            case .success:
                breaker.onSuccess(permit, duration: elapsed)
                budget.recordSuccess()
                let record = AttemptRecord(
                    model: model.name, upstream: model.upstream, outcome: .succeeded, duration: elapsed,
                    isHedge: isHedge)
                return Finished(index: index, attempt: number, result: result, record: record)
            case .failure(let error):
                let killed = call.isKilled(attempt: number)
                // Read once: the error's decided outcome says everything below.
                let failure = executor.classifier.outcome(of: error)
                let failureClass = killed || Task.isCancelled ? .cancelled : failure.failureClass
                let retryAfter = failure.retryAfter.map { $0.delay(atUnixTime: executor.unixTime()) }
                let cutByDeadline = AttemptRunner<C>.cutByTotalDeadline(error)
                if cutByDeadline {
                    breaker.onIgnored(permit)
                } else {
                    breaker.onFailure(permit, failureClass, duration: elapsed, retryAfter: retryAfter)
                    if failureClass.isRetryable { budget.recordFailure() }
                }
                let outcome: AttemptRecord.Outcome = killed ? .abandoned : .failed(failureClass)
                let record = AttemptRecord(
                    model: model.name, upstream: model.upstream, outcome: outcome, duration: elapsed, isHedge: isHedge)
                return Finished(
                    index: index, attempt: number, result: result, failureClass: failureClass, retryAfter: retryAfter,
                    mayHaveCompleted: failure.upstreamMayHaveCompleted, record: record)
            }
        }

        private enum HedgeEvent: Sendable {
            case finished(Finished<T>)
            case hedgeDue
            case timerCancelled
        }

        /// The first attempt on `primary`, with one hedge on a later model if it has not
        /// answered after the hedging delay. Returns the winner, or the failure to act on.
        mutating func hedgedRound(primary: Int, permit: CircuitBreakerPermit) async -> Finished<T> {
            callsMade += 1
            attemptsOnModel[primary] += 1
            let primaryNumber = callsMade
            let delay = executor.hedging.delay(for: chain.models[primary])
            let (executor, chain, operation, call, totalDeadline, clock) = (
                executor, chain, operation, call, totalDeadline, clock
            )
            // One attempt of the round, on model `index`: the primary or its hedge.
            let attempt: @Sendable (Int, Int, CircuitBreakerPermit, Bool) async -> HedgeEvent = {
                index, number, permit, isHedge in
                .finished(
                    await Self.perform(
                        executor: executor, chain: chain, operation: operation, call: call,
                        totalDeadline: totalDeadline, index: index, number: number, permit: permit, isHedge: isHedge,
                        killable: true))
            }
            return await withTaskGroup(of: HedgeEvent.self) { group in
                group.addTask { await attempt(primary, primaryNumber, permit, false) }
                group.addTask {
                    // On the shared deadline wake-up, not a `clock.sleep` of its own: most rounds end
                    // before the delay and cancel this, and on Linux a cancelled sleep keeps its timer
                    // (and this task's memory) until the delay would have passed.
                    await executor.deadlineScheduler.wait(until: clock.now.advanced(by: delay))
                        ? .hedgeDue : .timerCancelled
                }
                var running = 1
                var hedgeStarted = false
                var decided: Finished<T>?
                var failures: [Finished<T>] = []
                var finishedRecords: [Int: AttemptRecord] = [:]
                while let event = await group.next() {
                    switch event {
                    case .timerCancelled:
                        continue
                    case .hedgeDue:
                        guard decided == nil, call.committedAttempt == nil,
                            let (index, hedgePermit) = hedgeCandidate(after: primary)
                        else { continue }
                        callsMade += 1
                        attemptsOnModel[index] += 1
                        hedged = true
                        hedgeStarted = true
                        running += 1
                        let number = callsMade
                        group.addTask { await attempt(index, number, hedgePermit, true) }
                    case .finished(var finished):
                        running -= 1
                        defer { finishedRecords[finished.attempt] = finished.record }
                        let committed = call.committedAttempt
                        if decided != nil || (committed != nil && committed != finished.attempt) {
                            // A loser: it lost the race, or another attempt owns the stream.
                            if case .succeeded = finished.record.outcome { finished.record.outcome = .abandoned }
                            continue
                        }
                        switch finished.result {
                        case .success:
                            decided = finished
                        case .failure:
                            failures.append(finished)
                            let surfaces =
                                committed == finished.attempt || finished.failureClass == .cancelled
                                || !(finished.failureClass ?? .other).isFailover
                            if surfaces || !hedgeStarted {
                                decided = finished
                            } else if running == 0 {
                                // Both failed: carry on down the chain from the later model.
                                decided = failures.max { $0.index < $1.index }
                            }
                        }
                        if let decided {
                            // Stop the other attempt and the hedge timer, then drain to record how they ended.
                            if hedgeStarted { call.kill(allExcept: decided.attempt) }
                            group.cancelAll()
                        }
                    }
                }
                records.append(contentsOf: finishedRecords.sorted { $0.key < $1.key }.map(\.value))
                return decided!
            }
        }

        /// The first model after `primary` that has not been tried, whose breaker and budget let a
        /// hedge through.
        mutating func hedgeCandidate(after primary: Int) -> (Int, CircuitBreakerPermit)? {
            var index = primary + 1
            while index < chain.models.count {
                let model = chain.models[index]
                if attemptsOnModel[index] == 0, executor.budgets.budget(for: model.upstream).tryRetry() {
                    do {
                        return (index, try executor.breakers.breaker(for: key(model)).acquire())
                    } catch {
                        records.append(
                            AttemptRecord(
                                model: model.name, upstream: model.upstream, outcome: .rejectedByBreaker,
                                duration: .zero, isHedge: true))
                        attemptsOnModel[index] = model.maxAttempts  // skipped: do not come back to it
                    }
                }
                index += 1
            }
            return nil
        }
    }
}
