public import Canary

/// Where a rollout's state, its audit log and its health history live between restarts.
///
/// The router writes through this protocol at every evaluation and every
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
    /// The stored state of a rollout, or `nil` when it was never stored.
    func state(of rolloutID: String) async throws -> RampState<WallClock.Instant>?

    /// Stores a decision atomically: the new state, the transition's event (if any)
    /// and the evaluation's health record (if any), in one transaction.
    ///
    /// - Returns: the sequence number given to the event, when there was one.
    @discardableResult
    func commit(_ change: RolloutChange) async throws -> Int64?

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

    /// Whether the store can be written (for `/readyz`).
    func isHealthy() async -> Bool

    /// Flushes and closes the store; later calls fail with ``RolloutStoreError``.
    func close() async throws
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

    /// Creates a change.
    public init(
        rolloutID: String, state: RampState<WallClock.Instant>, event: RampEvent<WallClock.Instant>? = nil,
        evaluation: EvaluationRecord? = nil
    ) {
        self.rolloutID = rolloutID
        self.state = state
        self.event = event
        self.evaluation = evaluation
    }
}

/// An audit event as stored, with its sequence number.
public struct StoredEvent: Sendable, Hashable, Codable {
    /// Increasing per store; gaps are allowed.
    public var sequence: Int64
    /// The rollout.
    public var rolloutID: String
    /// The transition.
    public var event: RampEvent<WallClock.Instant>

    /// Creates a stored event.
    public init(sequence: Int64, rolloutID: String, event: RampEvent<WallClock.Instant>) {
        self.sequence = sequence
        self.rolloutID = rolloutID
        self.event = event
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
        p50 = snapshot.p50?.seconds
        p95 = snapshot.p95?.seconds
        p99 = snapshot.p99?.seconds
        ttftP50 = snapshot.timeToFirstToken(percentile: 50)?.seconds
        ttftP95 = snapshot.timeToFirstToken(percentile: 95)?.seconds
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
