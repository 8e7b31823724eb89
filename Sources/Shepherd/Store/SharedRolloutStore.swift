public import Canary

/// A ``RolloutStore`` that several processes share, and that coordinates them: the evaluator
/// lease, every replica's health buckets, the replicas' heartbeats and the database's clock.
///
/// The database is the only coordinator (no protocol of Shepherd's own): every state change
/// is a compare-and-set on the version (``RolloutStore/commit(_:expectedVersion:)``); one
/// replica at a time holds the evaluator lease, whose fencing epoch every evaluation commit
/// carries; every coordination time (lease expiry, step start, hold time, last evaluation) is
/// the database's ``databaseNow()``, so skew between the replicas' clocks cannot change a
/// decision. ``RolloutController`` drives it; the request path never waits on it.
///
/// The implementation is `PostgresRolloutStore` (module `ShepherdPostgres`).
public protocol SharedRolloutStore: RolloutStore {
    /// The database's clock (`now()`), the time base of every coordination decision.
    func databaseNow() async throws -> WallClock.Instant

    /// Takes the evaluator lease when it is free or expired (on the database's clock), or
    /// renews it when `holder` holds it already.
    ///
    /// Taking the lease from another holder (or after it lapsed) raises its epoch by one;
    /// renewing keeps the epoch. A renewal by a holder whose epoch is no longer the lease's
    /// fails: the caller was deposed.
    ///
    /// - Parameters:
    ///   - rolloutID: the rollout.
    ///   - holder: this replica's id.
    ///   - epoch: the epoch this replica believes it holds (`nil`: it holds none).
    ///   - ttl: how long the lease lasts from the database's `now()` without a renewal.
    /// - Returns: the lease as it stands after the call: held by `holder` (the grant) or by
    ///   another replica.
    func acquireLease(rolloutID: String, holder: String, epoch: Int64?, ttl: Duration) async throws -> LeaseState

    /// The lease as it stands, without changing it (`nil`: nobody ever held it).
    func lease(of rolloutID: String) async throws -> LeaseState?

    /// Upserts this replica's health buckets (one row per replica, path and bucket number:
    /// publishing a bucket again replaces it).
    func publishHealth(rolloutID: String, replica: String, buckets: [HealthBucket]) async throws

    /// Every replica's health buckets of the rollout that start at or after `since`, dead
    /// replicas' included.
    func health(rolloutID: String, since: WallClock.Instant) async throws -> [HealthBucket]

    /// Deletes health buckets that start before `before` (they left every window).
    func pruneHealth(rolloutID: String, before: WallClock.Instant) async throws

    /// Records this replica's heartbeat (upsert by replica id, stamped with the database's `now()`).
    func heartbeat(_ replica: ReplicaReport) async throws

    /// The replicas that reported a heartbeat since `since`, by id.
    func replicas(rolloutID: String, since: WallClock.Instant) async throws -> [ReplicaRecord]

    /// The stored version of a rollout, or `nil` when it was never stored (the cheap poll).
    func version(of rolloutID: String) async throws -> Int64?

    /// Calls `onVersion` with every version committed from now on, as the database announces
    /// it (LISTEN/NOTIFY on a dedicated connection), reconnecting after a connection loss, until
    /// the calling task is cancelled or the store closes. Announcements made while disconnected
    /// are lost: callers also poll ``version(of:)``.
    func followVersions(rolloutID: String, _ onVersion: @escaping @Sendable (Int64) async -> Void) async
}

/// The evaluator lease of a rollout.
public struct LeaseState: Sendable, Hashable, Codable {
    /// Who holds it, and the epoch.
    public var fence: LeaseFence
    /// When it lapses without a renewal (database time).
    public var expiresAt: WallClock.Instant
    /// When the holder last stored an evaluation (database time), `nil` before the first.
    public var lastEvaluationAt: WallClock.Instant?
    /// The database's `now()` when the lease was read.
    public var now: WallClock.Instant

    /// Creates a lease state.
    public init(
        fence: LeaseFence, expiresAt: WallClock.Instant, lastEvaluationAt: WallClock.Instant?, now: WallClock.Instant
    ) {
        self.fence = fence
        self.expiresAt = expiresAt
        self.lastEvaluationAt = lastEvaluationAt
        self.now = now
    }

    /// Whether `holder` holds the lease.
    public func isHeld(by holder: String) -> Bool { fence.holder == holder && now < expiresAt }
}

/// What a replica reports about itself at each heartbeat.
public struct ReplicaReport: Sendable, Hashable, Codable {
    /// The rollout.
    public var rolloutID: String
    /// The replica's id (unique per process start).
    public var replica: String
    /// The version of the rollout's state the replica serves.
    public var versionSeen: Int64
    /// The percentage its request path uses now.
    public var effectivePercent: Double
    /// Its local rollback-switch sources that are engaged (`environment`, `flagFile`), with their reasons.
    public var localSwitchSources: [String: String]
    /// Whether it holds the evaluator lease.
    public var isEvaluator: Bool
}

/// A replica as the store last heard from it.
public struct ReplicaRecord: Sendable, Hashable, Codable {
    /// What it reported.
    public var report: ReplicaReport
    /// When (database time).
    public var lastHeartbeat: WallClock.Instant

    /// Creates a record.
    public init(report: ReplicaReport, lastHeartbeat: WallClock.Instant) {
        self.report = report
        self.lastHeartbeat = lastHeartbeat
    }
}
