public import Canary
import Synchronization

extension RolloutController {
    /// How often a command retries after another writer committed first.
    static var commandRetries: Int { 5 }

    /// Reads the stored state into the ramp, or starts the rollout when nothing is stored.
    func resumeOrStart() async throws {
        let policy = configuration.policy
        if let stored = try await store.state(of: rolloutID) {
            adopt(stored)
            logger.notice(
                "resumed rollout \(rolloutID) at \(formatPercent(stored.state.percent)) (\(stored.state.phase), version \(stored.version)); the health window starts empty, so the ramp holds until it has data",
                metadata: ["rollout": "\(rolloutID)"])
        } else if configuration.autoStart {
            var ramp = RampController<WallClock.Instant>(policy: policy.ramp)
            let event = try ramp.apply(
                .start, now: try await coordinationNow(), reason: "first start of shepherd for this rollout")
            switch try await store.commit(
                RolloutChange(rolloutID: rolloutID, state: ramp.state, event: event), expectedVersion: 0)
            {
            case .committed(let version, _):
                adopt(VersionedRolloutState(state: ramp.state, version: version))
                logger.notice(
                    "started rollout \(rolloutID) at \(formatPercent(ramp.state.percent))",
                    metadata: TransitionLogMetadata.ramp(event, rolloutID: rolloutID))
                metrics.transition(event.reason.kind)
            case .conflict, .fenced:
                // Another replica started it first: follow what it stored.
                if let stored = try await store.state(of: rolloutID) { adopt(stored) }
            }
        }
    }

    /// Takes a stored state as the ramp's (a newer version only), and the shared rollback switch with it.
    ///
    /// - Returns: whether the state was newer than the one held.
    @discardableResult
    func adopt(_ stored: VersionedRolloutState) -> Bool {
        let now = clock.now
        let adopted = control.withLock { control -> Bool in
            guard stored.version > control.version || !control.fleet.synced else { return false }
            if control.ramp.state.stepStartedAt != stored.state.stepStartedAt { control.stepStartedOnClock = now }
            control.ramp = RampController(policy: configuration.policy.ramp, state: stored.state)
            control.version = stored.version
            control.rollbackOverride = stored.rollbackOverride
            control.fleet.synced = true
            return true
        }
        guard adopted else { return false }
        if let override = stored.rollbackOverride {
            rollbackSwitch.set(.override, engaged: true, reason: override.reason)
        } else {
            rollbackSwitch.set(.override, engaged: false, reason: "")
        }
        metrics.versionSeen(stored.version)
        metrics.publish(state: stored.state, rollbackEngaged: rollbackSwitch.isEngaged)
        return true
    }

    /// The time decisions are stamped with: the database's on a shared store, so that replica
    /// clock skew cannot change a decision; the wall clock on an embedded one.
    func coordinationNow() async throws -> WallClock.Instant {
        if let shared = store as? any SharedRolloutStore { return try await shared.databaseNow() }
        return wallNow()
    }

    /// Scores the window now, moves the ramp, and stores the decision before it takes effect.
    ///
    /// Judges this process's window. On a ``SharedRolloutStore`` the service's loop (``run()``)
    /// evaluates instead, as the lease holder, on the sum of every replica's buckets, with the
    /// lease's fence on the commit; calling this there commits an unfenced, local judgement.
    ///
    /// - Returns: the decision (a transition with its event, or a hold with its reason).
    /// - Throws: a ``RolloutStoreError`` when the decision could not be stored (another writer
    ///   committed first, or the store failed); the ramp then keeps its previous state.
    @discardableResult
    public func evaluate() async throws -> RampDecision<WallClock.Instant> {
        try await controlLock.withLock {
            let stepStart = control.withLock { $0.stepStartedOnClock }
            return try await decide(
                snapshot: window.snapshot(), relaySamplesInStep: window.judgedCount(of: .relay, since: stepStart),
                now: wallNow(), fence: nil, frozenElsewhere: false)
        }
    }

    /// Judges `snapshot` and commits the decision at the version the ramp is at.
    func decide(
        snapshot: HealthSnapshot, relaySamplesInStep inStep: Int, now: WallClock.Instant, fence: LeaseFence?,
        frozenElsewhere: Bool
    ) async throws -> RampDecision<WallClock.Instant> {
        let verdict = scorer.evaluate(snapshot)
        let frozen = rollbackSwitch.isEngaged || frozenElsewhere
        let (ramp, version, override) = control.withLock { ($0.ramp, $0.version, $0.rollbackOverride) }
        var next = ramp
        let decision: RampDecision<WallClock.Instant>
        let shadow = ramp.state.phase == .shadowing ? shadowVerdict() : nil
        if let shadow {
            decision = next.evaluateShadow(now: now, verdict: shadow, frozen: frozen)
        } else {
            decision = next.evaluate(now: now, verdict: verdict, relaySamplesInStep: inStep, frozen: frozen)
        }
        var record = EvaluationRecord(
            time: now, phase: next.state.phase, percent: next.state.percent, rollbackEngaged: frozen,
            verdict: verdict, decision: decision.event != nil ? "transition" : "hold:\(decision.hold?.code ?? "")",
            legacy: PathSummary(snapshot.legacy), relay: PathSummary(snapshot.relay))
        record.shadow = shadow
        let outcome = try await store.commit(
            RolloutChange(
                rolloutID: rolloutID, state: next.state, event: decision.event, evaluation: record,
                rollbackOverride: override, fence: fence),
            expectedVersion: version)
        let newVersion = try await settle(outcome, operation: "evaluation")
        publish(next, version: newVersion, decision: decision, stepMoved: decision.event != nil)
        control.withLock {
            $0.fleet.legacy = record.legacy
            $0.fleet.relay = record.relay
        }
        metrics.verdict(verdict)
        if let event = decision.event {
            logger.notice(
                "rollout \(rolloutID): \(event.summary)",
                metadata: TransitionLogMetadata.ramp(event, rolloutID: rolloutID))
            metrics.transition(event.reason.kind)
            if event.to == .rolledBack { metrics.rollback() }
        }
        return decision
    }

    /// The version a commit left, or the error that says why it was refused (after following
    /// the store, so that the next decision starts from what won).
    private func settle(_ outcome: CommitOutcome, operation: String) async throws -> Int64 {
        switch outcome {
        case .committed(let version, _):
            return version
        case .conflict(let stored):
            metrics.versionConflict()
            if let current = try? await store.state(of: rolloutID) { adopt(current) }
            throw RolloutStoreError(
                operation: operation,
                reason: "another writer committed version \(stored) first; the ramp now follows the stored state")
        case .fenced(let fence):
            metrics.fencedWrite()
            control.withLock {
                $0.fleet.fencedWrites += 1
                $0.fleet.isEvaluator = false
            }
            metrics.isEvaluator(false)
            logger.warning(
                "\(operation) refused: this replica's evaluator lease (\(fence)) was taken over; following the store",
                metadata: ["rollout": "\(rolloutID)"])
            throw RolloutStoreError(operation: operation, reason: "fenced: the evaluator lease \(fence) moved on")
        }
    }

    /// Applies an operator's command (promote, pause, resume, rollback, set percent) and stores it.
    ///
    /// The command is applied to the stored state and committed with the version check; when
    /// another writer (another replica's evaluator or operator) committed first, it is applied
    /// again to what won, so two commands at the same moment are both applied, one after the other.
    ///
    /// - Throws: `RampCommandError` when the phase does not allow it (nothing changes), or a
    ///   ``RolloutStoreError`` when it could not be stored (nothing changes either).
    @discardableResult
    public func apply(_ command: RampCommand, reason: String? = nil) async throws -> RampEvent<WallClock.Instant> {
        try await controlLock.withLock {
            for attempt in 1...Self.commandRetries {
                if store is any SharedRolloutStore, let stored = try await store.state(of: rolloutID) { adopt(stored) }
                let (ramp, version, override) = control.withLock { ($0.ramp, $0.version, $0.rollbackOverride) }
                var next = ramp
                let event = try next.apply(
                    command, now: try await coordinationNow(), reason: reason, frozen: rollbackSwitch.isEngaged)
                let outcome = try await store.commit(
                    RolloutChange(rolloutID: rolloutID, state: next.state, event: event, rollbackOverride: override),
                    expectedVersion: version)
                guard case .committed(let newVersion, _) = outcome else {
                    if case .conflict = outcome { metrics.versionConflict() }
                    if let stored = try await store.state(of: rolloutID) { adopt(stored) }
                    if attempt == Self.commandRetries {
                        throw RolloutStoreError(
                            operation: "command", reason: "other writers kept committing first (\(attempt) tries)")
                    }
                    continue
                }
                publish(next, version: newVersion, decision: .transition(event), stepMoved: true)
                var metadata = TransitionLogMetadata.ramp(event, rolloutID: rolloutID)
                metadata["command"] = "\(command)"
                logger.notice("rollout \(rolloutID): \(event.summary)", metadata: metadata)
                metrics.transition(event.reason.kind)
                if event.to == .rolledBack { metrics.rollback() }
                return event
            }
            throw RolloutStoreError(operation: "command", reason: "unreachable")
        }
    }

    /// Engages or releases the admin rollback switch, and stores it so that every replica on a
    /// shared store follows within one sync.
    ///
    /// Engaging takes effect in this process at once, whatever the store says: it is the
    /// emergency brake. Releasing takes effect once it is stored.
    ///
    /// - Returns: whether the switch as a whole flipped in this process.
    /// - Throws: ``RolloutStoreError`` when the change could not be stored (an engagement
    ///   still holds locally).
    @discardableResult
    public func setRollbackOverride(engaged: Bool, reason: String) async throws -> Bool {
        var flipped = false
        if engaged { flipped = rollbackSwitch.set(.override, engaged: true, reason: reason) }
        try await controlLock.withLock {
            for _ in 1...Self.commandRetries {
                let (state, version) = control.withLock { ($0.ramp.state, $0.version) }
                let override =
                    engaged
                    ? RollbackOverride(
                        reason: reason, engagedAt: try await coordinationNow(), replica: configuration.fleet.replicaID)
                    : nil
                let outcome = try await store.commit(
                    RolloutChange(rolloutID: rolloutID, state: state, rollbackOverride: override),
                    expectedVersion: version)
                if case .committed(let newVersion, _) = outcome {
                    control.withLock {
                        $0.version = newVersion
                        $0.rollbackOverride = override
                    }
                    metrics.versionSeen(newVersion)
                    return
                }
                if let stored = try await store.state(of: rolloutID) { adopt(stored) }
            }
            throw RolloutStoreError(operation: "rollback switch", reason: "other writers kept committing first")
        }
        if !engaged { flipped = rollbackSwitch.set(.override, engaged: false, reason: "") }
        metrics.publish(state: state, rollbackEngaged: rollbackSwitch.isEngaged)
        return flipped
    }

    private func publish(
        _ ramp: RampController<WallClock.Instant>, version: Int64, decision: RampDecision<WallClock.Instant>,
        stepMoved: Bool
    ) {
        let now = clock.now
        let limit = configuration.recentDecisionLimit
        metrics.versionSeen(version)
        let enteredShadow = ramp.state.phase == .shadowing && state.phase != .shadowing
        if enteredShadow { shadowTally.withLock { $0 = ShadowTally() } }
        control.withLock { control in
            control.ramp = ramp
            control.version = version
            control.fleet.synced = true
            if stepMoved { control.stepStartedOnClock = now }
            control.recentDecisions.append(decision)
            if control.recentDecisions.count > limit {
                control.recentDecisions.removeFirst(control.recentDecisions.count - limit)
            }
        }
        metrics.publish(state: ramp.state, rollbackEngaged: rollbackSwitch.isEngaged)
    }
}
