public import Canary

/// Where a rollout's state, its audit log and its health history live between restarts.
///
/// The rollout controller writes through this protocol at every evaluation and every
/// operator command: one ``RolloutStore/commit(_:)`` per decision, atomic, so a
/// crash between two evaluations loses no committed transition and a restart
/// resumes at the stored phase and percentage. The embedded implementation is
/// ``SQLiteRolloutStore`` (GRDB, WAL); ``InMemoryRolloutStore`` serves tests
/// and the simulator.
///
/// ```swift
/// let store = try SQLiteRolloutStore(path: "/var/lib/shepherd/state.sqlite")
/// let resumed = try await store.state(of: "checkout-to-relay")   // nil on first start
/// try await store.commit(.init(rolloutID: "checkout-to-relay", state: ramp.state, event: event))
/// ```
public protocol RolloutStore: Sendable {
    /// The stored state of a rollout with its version, or `nil` when it was never stored.
    func state(of rolloutID: String) async throws -> VersionedRolloutState?

    /// Stores a decision atomically when the stored version is still `expectedVersion`: the new
    /// state, the transition's event (if any) and the evaluation's health record (if any), in
    /// one transaction.
    ///
    /// Every state change is a compare-and-set on the version: two writers that read the same
    /// version cannot both commit, and the loser is told the version that won. A change whose
    /// state and override equal the stored ones and that carries no event stores only its
    /// evaluation, and the version does not move. A change with a ``RolloutChange/fence`` is
    /// refused (``CommitOutcome/fenced``) when the store's evaluator lease has moved on to
    /// another holder or epoch; stores without a lease ignore the fence.
    ///
    /// - Parameters:
    ///   - change: the decision.
    ///   - expectedVersion: the version the decision was made on (0: nothing stored yet).
    /// - Returns: committed (with the new version and the event's sequence number), conflict or fenced.
    func commit(_ change: RolloutChange, expectedVersion: Int64) async throws -> CommitOutcome

    /// Audit events of a rollout, oldest first.
    ///
    /// - Parameters:
    ///   - since: only events at or after this time.
    ///   - afterSequence: only events with a larger sequence number (for tailing).
    ///   - limit: the most recent `limit` events matching, still oldest first.
    func events(
        of rolloutID: String, since: WallClock.Instant?, afterSequence: Int64?, limit: Int
    ) async throws -> [StoredEvent]

    /// Health records of a rollout's evaluations, oldest first (the most recent `limit`).
    func evaluations(of rolloutID: String, since: WallClock.Instant?, limit: Int) async throws -> [EvaluationRecord]

    /// The ids of every rollout with a stored state, sorted (for tools that read a store
    /// without knowing its rollouts, such as `shepherd report`).
    func rolloutIDs() async throws -> [String]

    /// Whether the store can be written (for `/readyz` of an embedded store).
    func isHealthy() async -> Bool

    /// Flushes and closes the store; later calls fail with ``RolloutStoreError``.
    func close() async throws
}

extension RolloutStore {
    /// Commits on top of whatever version is stored now: for a single writer (tools, tests,
    /// the crash probe), never for a replica, which must commit at the version it decided on.
    ///
    /// - Returns: the sequence number given to the event, when there was one.
    /// - Throws: ``RolloutStoreError`` when another writer committed in between (or the lease fenced it).
    @discardableResult
    public func commit(_ change: RolloutChange) async throws -> Int64? {
        let current = try await state(of: change.rolloutID)?.version ?? 0
        switch try await commit(change, expectedVersion: current) {
        case .committed(_, let sequence): return sequence
        case .conflict(let stored):
            throw RolloutStoreError(
                operation: "commit", reason: "version conflict: expected \(current), stored \(stored)")
        case .fenced(let fence):
            throw RolloutStoreError(operation: "commit", reason: "fenced: \(fence) no longer holds the lease")
        }
    }
}

/// A rollout's stored state, its version, and the shared admin rollback switch.
public struct VersionedRolloutState: Sendable, Hashable {
    /// The ramp's state.
    public var state: RampState<WallClock.Instant>
    /// Increases by one at every committed change of state or override; 1 after the first commit.
    public var version: Int64
    /// The admin rollback switch, shared by every replica on the store (`nil`: released).
    public var rollbackOverride: RollbackOverride?

    /// Creates a versioned state.
    public init(state: RampState<WallClock.Instant>, version: Int64, rollbackOverride: RollbackOverride? = nil) {
        self.state = state
        self.version = version
        self.rollbackOverride = rollbackOverride
    }
}

/// The admin rollback switch as stored: engaged with a reason (the flag file and the
/// environment variable stay local to each process and are never stored).
public struct RollbackOverride: Sendable, Hashable, Codable {
    /// The operator's reason.
    public var reason: String
    /// When it was engaged.
    public var engagedAt: WallClock.Instant
    /// The replica whose admin API engaged it, when known.
    public var replica: String? = nil
}

/// What a compare-and-set commit did.
public enum CommitOutcome: Sendable, Hashable {
    /// Stored: the version now stored (unchanged when only an evaluation was stored) and the
    /// event's sequence number, when there was an event.
    case committed(version: Int64, sequence: Int64?)
    /// Refused: another writer committed first; the version stored now.
    case conflict(storedVersion: Int64)
    /// Refused: the writer's lease is no longer the store's (another replica took over).
    case fenced(LeaseFence)
}

/// The evaluator's proof of its lease: the holder and the lease's fencing epoch.
///
/// Each takeover raises the epoch, so a holder that was paused past its lease (a stopped
/// process, a long pause) and wakes up holding an old epoch has its writes refused.
public struct LeaseFence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The replica holding the lease.
    public var holder: String
    /// Raised by one at every change of holder.
    public var epoch: Int64

    /// Creates a fence.
    public init(holder: String, epoch: Int64) {
        self.holder = holder
        self.epoch = epoch
    }

    public var description: String { "\(holder) (epoch \(epoch))" }
}

/// One atomic write: a new state, and optionally the event and the evaluation that led to it.
public struct RolloutChange: Sendable, Hashable {
    /// The rollout.
    public var rolloutID: String
    /// The state after the decision.
    public var state: RampState<WallClock.Instant>
    /// The transition, when the state changed phase or percentage.
    public var event: RampEvent<WallClock.Instant>?
    /// The evaluation's health record, when this change comes from an evaluation.
    public var evaluation: EvaluationRecord?
    /// The shared admin rollback switch after the change (`nil`: released).
    public var rollbackOverride: RollbackOverride?
    /// The evaluator's lease, when the change is an evaluation on a shared store: the commit
    /// is refused when the lease moved on, and it records the evaluation's time on the lease.
    public var fence: LeaseFence?

    /// Creates a change.
    public init(
        rolloutID: String, state: RampState<WallClock.Instant>, event: RampEvent<WallClock.Instant>? = nil,
        evaluation: EvaluationRecord? = nil, rollbackOverride: RollbackOverride? = nil, fence: LeaseFence? = nil
    ) {
        self.rolloutID = rolloutID
        self.state = state
        self.event = event
        self.evaluation = evaluation
        self.rollbackOverride = rollbackOverride
        self.fence = fence
    }
}

/// An audit event as stored, with its sequence number.
public struct StoredEvent: Sendable, Hashable, Codable {
    /// Increasing per store; gaps are allowed.
    public var sequence: Int64
    /// The version of the rollout this event's commit created (unique per rollout; 0 when
    /// read from a store written before versions were kept).
    public var version: Int64
    /// The rollout.
    public var rolloutID: String
    /// The transition.
    public var event: RampEvent<WallClock.Instant>

    /// Creates a stored event.
    public init(sequence: Int64, version: Int64 = 0, rolloutID: String, event: RampEvent<WallClock.Instant>) {
        self.sequence = sequence
        self.version = version
        self.rolloutID = rolloutID
        self.event = event
    }

    private enum CodingKeys: String, CodingKey { case sequence, version, rolloutID, event }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        version = try container.decodeIfPresent(Int64.self, forKey: .version) ?? 0
        rolloutID = try container.decode(String.self, forKey: .rolloutID)
        event = try container.decode(RampEvent<WallClock.Instant>.self, forKey: .event)
    }
}

/// What one evaluation saw and decided: the history behind the dashboard and the report.
public struct EvaluationRecord: Sendable, Hashable, Codable {
    /// When.
    public var time: WallClock.Instant
    /// Phase after the decision.
    public var phase: RampPhase
    /// Stored percentage after the decision.
    public var percent: Double
    /// Whether the rollback switch was engaged.
    public var rollbackEngaged: Bool
    /// The scorer's verdict.
    public var verdict: HealthVerdict
    /// `transition` or `hold`, with the hold's reason code.
    public var decision: String
    /// The baseline's aggregate over the window.
    public var legacy: PathSummary
    /// The canary's aggregate over the window.
    public var relay: PathSummary
    /// While shadowing: the shadow comparison this evaluation judged (absent from records stored
    /// before the shadow phase existed, and outside it).
    public var shadow: ShadowVerdict?

    /// Creates a record.
    public init(
        time: WallClock.Instant, phase: RampPhase, percent: Double, rollbackEngaged: Bool, verdict: HealthVerdict,
        decision: String, legacy: PathSummary, relay: PathSummary
    ) {
        self.time = time
        self.phase = phase
        self.percent = percent
        self.rollbackEngaged = rollbackEngaged
        self.verdict = verdict
        self.decision = decision
        self.legacy = legacy
        self.relay = relay
    }
}

/// A path's aggregate reduced to numbers that can be stored and charted.
public struct PathSummary: Sendable, Hashable, Codable {
    public var requests: Int
    public var successes: Int
    public var failures: FailureCounts
    public var successRate: Double?
    /// Latency percentiles in seconds.
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    /// Time-to-first-token median in seconds.
    public var ttftP50: Double?
    /// Time-to-first-token 95th percentile in seconds (absent from records stored before it was kept).
    public var ttftP95: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    /// US dollars.
    public var cost: Double

    /// Summarises a window snapshot.
    public init(_ snapshot: PathSnapshot) {
        requests = snapshot.requests
        successes = snapshot.successes
        failures = snapshot.failures
        successRate = snapshot.successRate
        p50 = snapshot.p50.map(inSeconds)
        p95 = snapshot.p95.map(inSeconds)
        p99 = snapshot.p99.map(inSeconds)
        ttftP50 = snapshot.timeToFirstToken(percentile: 50).map(inSeconds)
        ttftP95 = snapshot.timeToFirstToken(percentile: 95).map(inSeconds)
        inputTokens = snapshot.inputTokens
        outputTokens = snapshot.outputTokens
        cost = snapshot.cost
    }
}

/// A store that cannot do what was asked, naming the operation and the reason.
public struct RolloutStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done (`open`, `commit`, `read events`, …).
    public var operation: String
    /// Why it failed (the database's message, never a secret).
    public var reason: String

    /// Creates an error.
    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "rollout store: \(operation) failed: \(reason)" }
}
