public import Canary
import Synchronization

/// A ``RolloutStore`` in memory, for tests and the simulator.
///
/// It follows ``SQLiteRolloutStore``'s rules exactly: one commit is atomic (a single
/// lock), events get increasing sequence numbers starting at 1 and are never pruned,
/// evaluations are pruned by the same ``RolloutRetention``, queries return the most
/// recent `limit` matches oldest first, and a closed store refuses every call with a
/// ``RolloutStoreError``. Nothing survives the process.
///
/// ```swift
/// let store = InMemoryRolloutStore()
/// var ramp = RampController<WallClock.Instant>(policy: RampPolicy())
/// let event = try ramp.apply(.start, now: WallClock().now)
/// let sequence = try await store.commit(.init(rolloutID: "checkout", state: ramp.state, event: event))  // 1
/// ```
public final class InMemoryRolloutStore: RolloutStore {
    private struct Contents: Sendable {
        var states: [String: VersionedRolloutState] = [:]
        /// Every event, in sequence order.
        var events: [StoredEvent] = []
        /// Per rollout, in insertion order.
        var evaluations: [String: [EvaluationRecord]] = [:]
        var lastSequence: Int64 = 0
        var prune = PruneSchedule()
        var isClosed = false
    }

    /// The evaluation history kept per rollout.
    public let retention: RolloutRetention
    private let contents = Mutex(Contents())

    /// Creates an empty store.
    ///
    /// - Parameter retention: how much evaluation history to keep per rollout.
    public init(retention: RolloutRetention = .init()) {
        self.retention = retention
    }

    public func state(of rolloutID: String) async throws -> VersionedRolloutState? {
        try contents.withLock { contents in
            try Self.checkOpen(contents, operation: "read state")
            return contents.states[rolloutID]
        }
    }

    public func commit(_ change: RolloutChange, expectedVersion: Int64) async throws -> CommitOutcome {
        try contents.withLock { contents in
            try Self.checkOpen(contents, operation: "commit")
            let stored = contents.states[change.rolloutID]
            let storedVersion = stored?.version ?? 0
            guard storedVersion == expectedVersion else { return .conflict(storedVersion: storedVersion) }
            let unchanged =
                change.event == nil && stored?.state == change.state
                && stored?.rollbackOverride == change.rollbackOverride
            var version = storedVersion
            var sequence: Int64?
            if !unchanged {
                version += 1
                contents.states[change.rolloutID] = VersionedRolloutState(
                    state: change.state, version: version, rollbackOverride: change.rollbackOverride)
                if let event = change.event {
                    contents.lastSequence += 1
                    sequence = contents.lastSequence
                    contents.events.append(
                        StoredEvent(
                            sequence: contents.lastSequence, version: version, rolloutID: change.rolloutID,
                            event: event))
                }
            }
            if let evaluation = change.evaluation {
                contents.evaluations[change.rolloutID, default: []].append(evaluation)
                if contents.prune.shouldPrune(change.rolloutID, retention: retention),
                    let limit = retention.maxEvaluationsPerRollout
                {
                    Self.prune(&contents.evaluations[change.rolloutID, default: []], keeping: limit)
                }
            }
            return .committed(version: version, sequence: sequence)
        }
    }

    public func rolloutIDs() async throws -> [String] {
        try contents.withLock { contents in
            try Self.checkOpen(contents, operation: "read rollout ids")
            return contents.states.keys.sorted()
        }
    }

    public func events(
        of rolloutID: String, since: WallClock.Instant?, afterSequence: Int64?, limit: Int
    ) async throws -> [StoredEvent] {
        try contents.withLock { contents in
            try Self.checkOpen(contents, operation: "read events")
            let matching = contents.events.filter { stored in
                stored.rolloutID == rolloutID
                    && since.map { stored.event.time.unixSeconds >= $0.unixSeconds } ?? true
                    && afterSequence.map { stored.sequence > $0 } ?? true
            }
            return Array(matching.suffix(max(0, limit)))
        }
    }

    public func evaluations(
        of rolloutID: String, since: WallClock.Instant?, limit: Int
    ) async throws -> [EvaluationRecord] {
        try contents.withLock { contents in
            try Self.checkOpen(contents, operation: "read evaluations")
            let matching = Self.byTime(contents.evaluations[rolloutID] ?? []).filter { record in
                since.map { record.time.unixSeconds >= $0.unixSeconds } ?? true
            }
            return Array(matching.suffix(max(0, limit)))
        }
    }

    public func isHealthy() async -> Bool {
        contents.withLock { !$0.isClosed }
    }

    /// Closes the store; closing twice is allowed.
    public func close() async throws {
        contents.withLock { $0.isClosed = true }
    }

    // MARK: Helpers

    private static func checkOpen(_ contents: Contents, operation: String) throws(RolloutStoreError) {
        if contents.isClosed {
            throw RolloutStoreError(operation: operation, reason: "the in-memory store is closed")
        }
    }

    /// Ordered by time, ties in insertion order (the SQLite store's `ORDER BY time, id`).
    private static func byTime(_ records: [EvaluationRecord]) -> [EvaluationRecord] {
        records.enumerated()
            .sorted { ($0.element.time.unixSeconds, $0.offset) < ($1.element.time.unixSeconds, $1.offset) }
            .map(\.element)
    }

    /// Keeps the most recent `limit` records by time.
    private static func prune(_ records: inout [EvaluationRecord], keeping limit: Int) {
        guard records.count > limit else { return }
        records = Array(byTime(records).suffix(limit))
    }
}
