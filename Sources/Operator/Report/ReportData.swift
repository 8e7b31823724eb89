public import Canary
public import Shepherd

/// Everything a rollout report shows, read from a ``RolloutStore``: the rollout's state,
/// its audit log and its evaluation history.
///
/// A value, so the renderers (``ReportRenderer``) are pure functions of it and a test can
/// build one by hand. ``load(from:rolloutID:source:generatedAt:limits:)`` reads any store;
/// ``load(storeAt:rolloutID:generatedAt:)`` opens a SQLite state file the way `shepherd report`
/// does, without ever creating one.
///
/// Each ``EvaluationRecord`` summarises both paths over the scoring window that ended at that
/// evaluation. Consecutive windows overlap (a 5-minute window judged every 30 seconds shares
/// 90% of its calls with the next), so window figures are never summed: the report charts
/// them as they were seen and picks single windows for its tables.
///
/// ```swift
/// let data = try await ReportData.load(storeAt: "shepherd.sqlite", rolloutID: nil, generatedAt: WallClock().now)
/// print(ReportRenderer.markdown(data))
/// ```
public struct ReportData: Sendable, Hashable {
    /// The rollout.
    public var rolloutID: String
    /// Where the data came from (the state file, as given), shown in the report's header.
    public var source: String
    /// When the report was generated; the renderers never read a clock.
    public var generatedAt: WallClock.Instant
    /// The stored state, or `nil` when the store has none for this rollout.
    public var state: RampState<WallClock.Instant>?
    /// Every stored transition, oldest first.
    public var events: [StoredEvent]
    /// The stored evaluations, oldest first (the store keeps the most recent ones; see `RolloutRetention`).
    public var evaluations: [EvaluationRecord]
    /// Whether ``events`` stopped at ``Limits/events`` and older transitions were left out.
    public var eventsTruncated: Bool = false
    /// Whether ``evaluations`` stopped at ``Limits/evaluations`` and older ones were left out.
    public var evaluationsTruncated: Bool = false

    /// How much history a report reads at most.
    public struct Limits: Sendable, Hashable {
        /// Transitions. Default one million (the audit log is never pruned).
        public var events: Int
        /// Evaluations. Default one million (the store keeps 20,000 per rollout by default).
        public var evaluations: Int

        /// Creates limits.
        public init(events: Int = 1_000_000, evaluations: Int = 1_000_000) {
            self.events = events
            self.evaluations = evaluations
        }
    }

    /// Reads a rollout's state, transitions and evaluations from a store.
    ///
    /// - Parameters:
    ///   - store: any store; it is only read.
    ///   - rolloutID: the rollout.
    ///   - source: what to call the store in the report (its file).
    ///   - generatedAt: the report's generation time.
    ///   - limits: how much history to read.
    /// - Throws: the store's errors (``RolloutStoreError``).
    public static func load(
        from store: some RolloutStore, rolloutID: String, source: String, generatedAt: WallClock.Instant,
        limits: Limits = .init()
    ) async throws -> ReportData {
        let state = try await store.state(of: rolloutID)?.state
        let events = try await store.events(of: rolloutID, since: nil, afterSequence: nil, limit: limits.events)
        let evaluations = try await store.evaluations(of: rolloutID, since: nil, limit: limits.evaluations)
        return ReportData(
            rolloutID: rolloutID, source: source, generatedAt: generatedAt, state: state, events: events,
            evaluations: evaluations, eventsTruncated: events.count >= limits.events,
            evaluationsTruncated: evaluations.count >= limits.evaluations)
    }
}
