public import Canary

extension RolloutController {
    /// Whether a call legacy answered should also go to the relay now: the rollout is
    /// shadowing, the rollback switch is released, the sample falls within `shadow.sampleRate`,
    /// and the last hour's shadow spend is under `shadow.maxSpendPerHour` (a call left out for
    /// the cap is counted).
    ///
    /// - Parameter sample: a uniform draw in `0..<1`.
    public func shouldShadow(sample: Double) -> Bool {
        guard let policy = configuration.policy.shadow, state.phase == .shadowing, !rollbackSwitch.isEngaged,
            sample < policy.sampleRate
        else { return false }
        let now = clock.now
        return shadowTally.withLock { tally in
            if tally.mayShadow(policy: policy, now: now) { return true }
            tally.skipForSpend()
            return false
        }
    }

    /// Queues a shadow call: `relayCall` runs apart from the request path, and its answer is
    /// compared with `legacy` and added to the tally.
    ///
    /// - Returns: `false` when the queue was full and the call was dropped.
    @discardableResult
    public func submitShadow(
        legacy: ShadowAnswer, requestID: String?, relayCall: @escaping @Sendable () async -> ShadowAnswer
    ) -> Bool {
        shadowRunner.submit(
            ShadowRunner.Job { [weak self] in
                let relay = await relayCall()
                // A call cut by a shutdown says nothing about the relay.
                guard !Task.isCancelled else { return }
                self?.recordShadow(legacy: legacy, relay: relay, requestID: requestID)
            })
    }

    /// Compares a pair and adds it to the tally.
    public func recordShadow(legacy: ShadowAnswer, relay: ShadowAnswer, requestID: String?) {
        guard let policy = configuration.policy.shadow else { return }
        let comparison = ShadowComparison(legacy: legacy, relay: relay, similarityThreshold: policy.textSimilarity)
        let now = clock.now
        shadowTally.withLock {
            $0.add(
                legacy: legacy, relay: relay, comparison: comparison, requestID: requestID,
                keepTexts: policy.keepExamples,
                now: now)
        }
        metrics.shadowPair(agrees: comparison.agrees, cost: relay.cost)
    }

    /// Runs the shadow calls queued so far and returns when none is left (tests; in service the
    /// controller's ``run()`` runs them as they come).
    public func runPendingShadowCalls() async {
        await shadowRunner.runPending()
    }

    /// The shadow comparison as judged now, or `nil` without `shadow:` in the policy.
    public func shadowVerdict() -> ShadowVerdict? {
        guard let policy = configuration.policy.shadow else { return nil }
        let now = clock.now
        var verdict = shadowTally.withLock { $0.verdict(policy: policy, health: configuration.policy.health, now: now) }
        let dropped = shadowRunner.dropped
        if dropped > 0 { verdict.summary += "; \(dropped) shadow calls dropped (queue full)" }
        return verdict
    }
}
