public import Canary
import ServiceLifecycle
import Synchronization

extension MigrationRouter {
    /// Scores the window now, moves the ramp, and stores the decision before it takes effect.
    ///
    /// - Returns: the decision (a transition with its event, or a hold with its reason).
    /// - Throws: a ``RolloutStoreError`` when the decision could not be stored; the ramp then
    ///   keeps its previous state.
    @discardableResult
    public func evaluate() async throws -> RampDecision<WallClock.Instant> {
        try await controlLock.withLock {
            let snapshot = window.snapshot()
            let verdict = scorer.evaluate(snapshot)
            let frozen = rollbackSwitch.isEngaged
            let now = wallNow()
            let (ramp, stepStart) = control.withLock { ($0.ramp, $0.stepStartedOnClock) }
            var next = ramp
            let inStep = window.judgedCount(of: .relay, since: stepStart)
            let decision = next.evaluate(now: now, verdict: verdict, relaySamplesInStep: inStep, frozen: frozen)
            let record = EvaluationRecord(
                time: now, phase: next.state.phase, percent: next.state.percent, rollbackEngaged: frozen,
                verdict: verdict, decision: decision.event != nil ? "transition" : "hold:\(decision.hold?.code ?? "")",
                legacy: PathSummary(snapshot.legacy), relay: PathSummary(snapshot.relay))
            try await store.commit(
                RolloutChange(rolloutID: rolloutID, state: next.state, event: decision.event, evaluation: record))
            publish(next, decision: decision, stepMoved: decision.event != nil)
            metrics.verdict(verdict)
            if let event = decision.event {
                logger.notice(
                    "rollout \(rolloutID): \(event.summary)",
                    metadata: ["rollout": "\(rolloutID)", "transition": "\(event.reason.kind.rawValue)"])
                if event.to == .rolledBack { metrics.rollback() }
            }
            return decision
        }
    }

    /// Applies an operator's command (promote, pause, resume, rollback, set percent) and stores it.
    ///
    /// - Throws: `RampCommandError` when the phase does not allow it (nothing changes), or a
    ///   ``RolloutStoreError`` when it could not be stored (nothing changes either).
    @discardableResult
    public func apply(_ command: RampCommand, reason: String? = nil) async throws -> RampEvent<WallClock.Instant> {
        try await controlLock.withLock {
            var next = control.withLock { $0.ramp }
            let event = try next.apply(command, now: wallNow(), reason: reason, frozen: rollbackSwitch.isEngaged)
            try await store.commit(RolloutChange(rolloutID: rolloutID, state: next.state, event: event))
            let decision = RampDecision(time: event.time, action: .transition, event: event, hold: nil, verdict: nil)
            publish(next, decision: decision, stepMoved: true)
            logger.notice("rollout \(rolloutID): \(event.summary)", metadata: ["rollout": "\(rolloutID)", "command": "\(command)"])
            if event.to == .rolledBack { metrics.rollback() }
            return event
        }
    }

    private func publish(_ ramp: RampController<WallClock.Instant>, decision: RampDecision<WallClock.Instant>, stepMoved: Bool) {
        let now = clock.now
        let limit = configuration.recentDecisionLimit
        control.withLock { control in
            control.ramp = ramp
            if stepMoved { control.stepStartedOnClock = now }
            control.recentDecisions.append(decision)
            if control.recentDecisions.count > limit { control.recentDecisions.removeFirst(control.recentDecisions.count - limit) }
        }
        metrics.publish(state: ramp.state, rollbackEngaged: rollbackSwitch.isEngaged)
    }

    /// The rollout's state, recent decisions and both paths' health, as an operator sees it.
    public func status() -> RolloutStatus {
        let snapshot = window.snapshot()
        let verdict = scorer.evaluate(snapshot)
        let (state, recent, stepStart) = control.withLock { ($0.ramp.state, $0.recentDecisions, $0.stepStartedOnClock) }
        let switchState = rollbackSwitch.state
        let policy = configuration.policy
        let now = wallNow()
        var nextStep: NextStepProgress?
        let ladder = policy.ramp.ladder
        if state.phase == .ramping, state.step + 1 < ladder.count {
            let held = state.stepStartedAt.map { max(0, now.unixSeconds - $0.unixSeconds) } ?? 0
            let lastEvaluation = recent.last { $0.event?.reason.kind.isManual != true }
            let interval = policy.ramp.evaluationInterval.seconds
            nextStep = NextStepProgress(
                nextPercent: ladder[state.step + 1],
                relaySamplesInStep: window.judgedCount(of: .relay, since: stepStart),
                samplesNeeded: policy.ramp.minSamplesPerStep, heldSeconds: held,
                minHoldSeconds: policy.ramp.minHoldTime.seconds,
                nextEvaluationInSeconds: lastEvaluation.map { max(0, $0.time.unixSeconds + interval - now.unixSeconds) })
        }
        var breakerStates: [String: String] = [:]
        for (key, breaker) in breakers.all { breakerStates[key.description] = "\(breaker.state)" }
        return RolloutStatus(
            rolloutID: rolloutID, state: state, effectivePercent: effectivePercent,
            ladder: configuration.policy.ramp.ladder, rollbackEngaged: switchState.isEngaged,
            rollbackSources: Dictionary(uniqueKeysWithValues: switchState.reasons.map { ($0.key.rawValue, $0.value) }),
            rollbackError: switchState.configurationError?.description, recentDecisions: recent, verdict: verdict,
            legacy: PathSummary(snapshot.legacy), relay: PathSummary(snapshot.relay), now: now, nextStep: nextStep,
            policy: PolicyDigest(policy), breakers: breakerStates)
    }

    /// Health records of the latest evaluations, oldest first: the dashboard's sparklines.
    public func history(since: WallClock.Instant? = nil, limit: Int = 120) async throws -> [EvaluationRecord] {
        try await store.evaluations(of: rolloutID, since: since, limit: limit)
    }

    /// The stored ramp state.
    public var state: RampState<WallClock.Instant> { control.withLock { $0.ramp.state } }

    /// Audit events from the store.
    public func events(since: WallClock.Instant? = nil, limit: Int = 100) async throws -> [StoredEvent] {
        try await store.events(of: rolloutID, since: since, afterSequence: nil, limit: limit)
    }
}

extension MigrationRouter: Service {
    /// Evaluates on the policy's interval until cancelled or told to shut down gracefully.
    ///
    /// A failed evaluation (the store unwritable) is logged and retried at the next interval;
    /// the ramp does not move while decisions cannot be stored.
    public func run() async throws {
        let interval = configuration.policy.ramp.evaluationInterval
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Shutdown cancels the sleep: that is the normal way out, not a failure.
                guard (try? await self.clock.sleep(for: interval)) != nil else { return }
                do {
                    try await self.evaluate()
                } catch let error as RolloutStoreError {
                    self.logger.error("evaluation not stored, ramp held: \(error)")
                }
            }
        }
    }
}
