public import Canary

extension RolloutController {
    /// The rollout's state, recent decisions and both paths' health, as an operator sees it.
    ///
    /// - Parameter breakers: the caller's circuit breakers by name (``MigrationRouter/status()``
    ///   passes its own), shown beside the rollout.
    public func status(breakers: [String: String] = [:]) -> RolloutStatus {
        let snapshot = window.snapshot()
        let verdict = scorer.evaluate(snapshot)
        let (state, recent, stepStart, version, fleet) = control.withLock {
            ($0.ramp.state, $0.recentDecisions, $0.stepStartedOnClock, $0.version, $0.fleet)
        }
        let switchState = rollbackSwitch.state
        let policy = configuration.policy
        let now = wallNow()
        var nextStep: NextStepProgress?
        let ladder = policy.ramp.ladder
        if state.phase == .ramping, state.step + 1 < ladder.count {
            let held = state.stepStartedAt.map { max(0, now.unixSeconds - $0.unixSeconds) } ?? 0
            let lastEvaluation = recent.last { $0.event?.reason.kind.isManual != true }
            let interval = inSeconds(policy.ramp.evaluationInterval)
            nextStep = NextStepProgress(
                nextPercent: ladder[state.step + 1],
                relaySamplesInStep: window.judgedCount(of: .relay, since: stepStart),
                samplesNeeded: policy.ramp.minSamplesPerStep, heldSeconds: held,
                minHoldSeconds: inSeconds(policy.ramp.minHoldTime),
                nextEvaluationInSeconds: lastEvaluation.map { max(0, $0.time.unixSeconds + interval - now.unixSeconds) }
            )
        }
        var bake: BakeProgress?
        if state.phase == .baking, let settings = policy.ramp.bake {
            bake = BakeProgress(
                holdback: settings.holdback, durationSeconds: inSeconds(settings.duration),
                bakedSeconds: state.stepStartedAt.map { max(0, now.unixSeconds - $0.unixSeconds) } ?? 0)
        }
        var status = RolloutStatus(
            rolloutID: rolloutID, state: state, effectivePercent: effectivePercent,
            ladder: configuration.policy.ramp.ladder, rollbackEngaged: switchState.isEngaged,
            rollbackSources: Dictionary(uniqueKeysWithValues: switchState.reasons.map { ($0.key.rawValue, $0.value) }),
            rollbackError: switchState.configurationError?.description, recentDecisions: recent, verdict: verdict,
            legacy: fleet.legacy ?? PathSummary(snapshot.legacy), relay: fleet.relay ?? PathSummary(snapshot.relay),
            now: now, nextStep: nextStep,
            policy: PolicyDigest(policy), breakers: breakers,
            fleet: store is any SharedRolloutStore ? fleet : nil, version: version)
        status.shadow = shadowVerdict()
        status.bake = bake
        return status
    }

    /// Health records of the latest evaluations, oldest first: the dashboard's sparklines.
    public func history(since: WallClock.Instant? = nil, limit: Int = 120) async throws -> [EvaluationRecord] {
        try await store.evaluations(of: rolloutID, since: since, limit: limit)
    }

    /// Audit events from the store.
    public func events(since: WallClock.Instant? = nil, limit: Int = 100) async throws -> [StoredEvent] {
        try await store.events(of: rolloutID, since: since, afterSequence: nil, limit: limit)
    }
}
