import Canary

/// The control loop of a replica on a ``SharedRolloutStore``: follow the stored state, publish
/// this replica's health, and evaluate for the whole fleet while holding the lease.
///
/// Every call here goes to the database and is bounded by the store's operation timeout; the
/// request path never waits on any of it (it reads ``RolloutController/effectivePercent`` from
/// memory). With the database unreachable the replica keeps serving the last synced percent and
/// never raises it: nothing commits, so nothing advances; a local rollback-switch source (the
/// environment variable, the flag file) still lowers traffic to 0 at once.
extension RolloutController {
    /// The loop's memory between ticks.
    struct FleetLoop: Sendable {
        /// The shared bucket number of this window's bucket 0, fixed at the first database time read.
        var bucketOffset: Int64?
        /// The local bucket index published last (it is published again: it may have grown).
        var publishedThrough: Int64?
        var lastPublish: C.Instant?
        var lastEvaluationSeen: WallClock.Instant?
        var lastPrune: WallClock.Instant?
    }

    /// Runs until cancelled: a tick every ``FleetConfiguration/syncInterval``, and a sync at once
    /// whenever the database announces a new version.
    func runFleet(on shared: any SharedRolloutStore) async {
        let fleet = configuration.fleet
        control.withLock {
            $0.fleet.replicaID = fleet.replicaID
            $0.fleet.note = "not synced yet: serving 0% relay until the shared store answers"
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await shared.followVersions(rolloutID: self.rolloutID) { version in
                    if version > self.control.withLock({ $0.version }) { try? await self.sync(shared) }
                }
            }
            group.addTask {
                var loop = FleetLoop()
                while !Task.isCancelled {
                    await self.tick(shared, loop: &loop)
                    guard (try? await self.clock.sleep(for: fleet.syncInterval)) != nil else { break }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// One pass of the loop; every failure is logged and leaves the served percent as it is.
    func tick(_ shared: any SharedRolloutStore, loop: inout FleetLoop) async {
        do {
            try await sync(shared)
            let now = clock.now
            let due = loop.lastPublish.map { $0.duration(to: now) >= configuration.fleet.publishInterval } ?? true
            if due {
                try await publishHealth(shared, loop: &loop)
                loop.lastPublish = now
            }
            try await leaseAndEvaluate(shared, loop: &loop)
            reachable(true, note: nil)
        } catch is CancellationError {
            return
        } catch {
            let percent = effectivePercent
            reachable(
                false,
                note:
                    "shared store unreachable: serving the last synced \(formatPercent(percent)) relay, ramp frozen (\(error))"
            )
        }
    }

    private func reachable(_ reachable: Bool, note: String?) {
        let changed = control.withLock { control -> Bool in
            defer { control.reportedReachable = reachable }
            control.fleet.storeReachable = reachable
            control.fleet.note = note ?? (control.fleet.synced ? nil : control.fleet.note)
            return control.reportedReachable != reachable
        }
        metrics.storeReachable(reachable)
        // Logged once per change (the first tick counts as one), not once a second.
        if changed {
            if reachable {
                logger.notice("shared store reachable", metadata: ["rollout": "\(rolloutID)"])
            } else if let note {
                logger.error("\(note)", metadata: ["rollout": "\(rolloutID)"])
            }
        }
        if !reachable {
            control.withLock { $0.fleet.isEvaluator = false }
            metrics.isEvaluator(false)
        }
    }

    /// Follows the stored state: reads it when its version moved (or starts the rollout when
    /// nothing is stored and ``Configuration/autoStart`` is on).
    func sync(_ shared: any SharedRolloutStore) async throws {
        let stored = try await shared.version(of: rolloutID)
        let (held, synced) = control.withLock { ($0.version, $0.fleet.synced) }
        guard let stored else {
            try await controlLock.withLock { try await resumeOrStart() }
            return
        }
        guard stored != held || !synced, let state = try await shared.state(of: rolloutID) else { return }
        if adopt(state) {
            logger.info(
                "following stored version \(state.version): \(state.state.phase) at \(formatPercent(state.state.percent))",
                metadata: ["rollout": "\(rolloutID)"])
        }
    }

    /// Publishes this replica's buckets since the last publication, its heartbeat, and reads the fleet.
    private func publishHealth(_ shared: any SharedRolloutStore, loop: inout FleetLoop) async throws {
        let fleet = configuration.fleet
        var offset = loop.bucketOffset
        if offset == nil {
            let databaseNow = try await shared.databaseNow()
            let width = inSeconds(window.configuration.bucketWidth)
            let fixed = Int64((databaseNow.unixSeconds / width - window.elapsedBuckets).rounded())
            loop.bucketOffset = fixed
            offset = fixed
        }
        let current = window.currentBucketIndex
        let since = loop.publishedThrough ?? .min
        let buckets = window.buckets(numberedFrom: offset ?? 0, since: since)
        if !buckets.isEmpty {
            try await shared.publishHealth(rolloutID: rolloutID, replica: fleet.replicaID, buckets: buckets)
        }
        loop.publishedThrough = current

        let switchState = rollbackSwitch.state
        let local = switchState.reasons.filter { $0.key != .override }
        let (version, isEvaluator) = control.withLock { ($0.version, $0.fleet.isEvaluator) }
        try await shared.heartbeat(
            ReplicaReport(
                rolloutID: rolloutID, replica: fleet.replicaID, versionSeen: version,
                effectivePercent: effectivePercent,
                localSwitchSources: Dictionary(uniqueKeysWithValues: local.map { ($0.key.rawValue, $0.value) }),
                isEvaluator: isEvaluator))
        let databaseNow = try await shared.databaseNow()
        let replicas = try await shared.replicas(
            rolloutID: rolloutID, since: databaseNow.advanced(by: .zero - fleet.replicaListWindow))
        control.withLock { $0.fleet.replicas = replicas.sorted { $0.report.replica < $1.report.replica } }
        // Any replica engaging its environment variable or flag file freezes the ramp: the
        // evaluator reads the fleet's sources from the heartbeats.
    }

    /// Takes or renews the lease; the holder evaluates when the interval has passed on the database's clock.
    private func leaseAndEvaluate(_ shared: any SharedRolloutStore, loop: inout FleetLoop) async throws {
        let fleet = configuration.fleet
        // The epoch this replica last held, even across a database outage: a renewal with it is
        // refused only if another replica took the lease meanwhile (fencing), never by a lapse alone.
        let myEpoch = control.withLock { control in
            control.fleet.lease.flatMap { $0.fence.holder == fleet.replicaID ? $0.fence.epoch : nil }
        }
        let lease = try await shared.acquireLease(
            rolloutID: rolloutID, holder: fleet.replicaID, epoch: myEpoch, ttl: fleet.leaseDuration)
        let holds = lease.isHeld(by: fleet.replicaID)
        if let myEpoch, !(holds && lease.fence.epoch == myEpoch) {
            // The renewal was refused: another replica took the lease while this one was away.
            metrics.fencedWrite()
            control.withLock { $0.fleet.fencedWrites += 1 }
            logger.warning(
                "evaluator lease lost to \(lease.fence): this replica no longer evaluates",
                metadata: ["rollout": "\(rolloutID)"])
        }
        let becameEvaluator = control.withLock { control -> Bool in
            let was = control.fleet.isEvaluator
            control.fleet.lease = lease
            control.fleet.isEvaluator = holds
            return holds && !was
        }
        metrics.isEvaluator(holds)
        if becameEvaluator {
            logger.notice(
                "this replica evaluates the rollout now (\(lease.fence))", metadata: ["rollout": "\(rolloutID)"])
        }
        if !holds {
            try await followEvaluations(shared, lease: lease, loop: &loop)
            return
        }
        let interval = configuration.policy.ramp.evaluationInterval
        if let last = lease.lastEvaluationAt, last.duration(to: lease.now) < interval { return }
        try await evaluateFleet(shared, lease: lease)
        let prune = loop.lastPrune.map { $0.duration(to: lease.now) > .seconds(60) } ?? true
        if prune {
            let keep = window.configuration.span * 2
            try await shared.pruneHealth(rolloutID: rolloutID, before: lease.now.advanced(by: .zero - keep))
            loop.lastPrune = lease.now
        }
    }

    /// One evaluation for the fleet: the sum of every replica's buckets inside the window, on the
    /// database's clock, committed with the lease's fence.
    @discardableResult
    func evaluateFleet(_ shared: any SharedRolloutStore, lease: LeaseState) async throws -> RampDecision<
        WallClock.Instant
    > {
        let span = window.configuration.span
        let now = try await shared.databaseNow()
        let buckets = try await shared.health(rolloutID: rolloutID, since: now.advanced(by: .zero - span))
        // Any replica's local rollback source freezes the ramp (its heartbeat says so).
        let remoteSwitch = control.withLock { control in
            control.fleet.replicas.contains {
                !$0.report.localSwitchSources.isEmpty && $0.report.replica != control.fleet.replicaID
            }
        }
        return try await controlLock.withLock {
            let stepStart = control.withLock { $0.ramp.state.stepStartedAt?.unixSeconds } ?? -.infinity
            let inStep = buckets.filter { $0.path == .relay && $0.startSeconds + $0.widthSeconds > stepStart }
                .reduce(0) { $0 + $1.judged }
            return try await decide(
                snapshot: HealthSnapshot(summing: buckets), relaySamplesInStep: inStep, now: now, fence: lease.fence,
                frozenElsewhere: remoteSwitch)
        }
    }

    /// A follower shows the fleet's health from the evaluator's latest evaluation record.
    private func followEvaluations(_ shared: any SharedRolloutStore, lease: LeaseState, loop: inout FleetLoop)
        async throws
    {
        guard let last = lease.lastEvaluationAt, loop.lastEvaluationSeen != last else { return }
        if let record = try await shared.evaluations(of: rolloutID, since: nil, limit: 1).last {
            control.withLock {
                $0.fleet.legacy = record.legacy
                $0.fleet.relay = record.relay
            }
        }
        loop.lastEvaluationSeen = last
    }
}
