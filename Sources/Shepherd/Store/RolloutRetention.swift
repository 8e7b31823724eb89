/// How much evaluation history a ``RolloutStore`` keeps per rollout.
///
/// Evaluations arrive every evaluation interval (30 s by default) for as long as a
/// rollout exists, so they are bounded; audit events are never pruned. Pruning
/// is amortised: it runs on a rollout's first commit after the store opens and
/// then on every `pruneInterval`-th commit of that rollout, so between two prunes
/// a rollout may hold up to `pruneInterval - 1` records above the limit.
///
/// ```swift
/// // Keep about a week of 30-second evaluations per rollout.
/// let retention = RolloutRetention(maxEvaluationsPerRollout: 20_160)
/// let store = try SQLiteRolloutStore(path: path, configuration: .init(retention: retention))
/// ```
public struct RolloutRetention: Sendable, Hashable {
    /// The most evaluation records kept per rollout (the most recent by time); `nil` keeps all.
    ///
    /// The default, 20,000, is about a week at one evaluation every 30 seconds.
    public var maxEvaluationsPerRollout: Int?
    /// Prune a rollout's evaluations on every `pruneInterval`-th commit of that rollout (at least 1).
    ///
    /// The default, 100, keeps the delete off the common path.
    public var pruneInterval: Int

    /// Creates a retention policy.
    ///
    /// - Parameters:
    ///   - maxEvaluationsPerRollout: the most evaluation records kept per rollout, `nil` for all;
    ///     negative values count as 0.
    ///   - pruneInterval: prune every this many commits of a rollout; values below 1 count as 1.
    public init(maxEvaluationsPerRollout: Int? = 20_000, pruneInterval: Int = 100) {
        self.maxEvaluationsPerRollout = maxEvaluationsPerRollout.map { max(0, $0) }
        self.pruneInterval = max(1, pruneInterval)
    }

    /// Keeps everything (for short tests and the simulator).
    public static let keepAll = RolloutRetention(maxEvaluationsPerRollout: nil)
}

/// Counts commits per rollout to decide when to prune (shared by both stores so they prune alike).
public struct PruneSchedule: Sendable {
    private var commitsSeen: [String: Int] = [:]

    /// An empty schedule.
    public init() {}

    /// Records a commit of `rolloutID` and says whether this one prunes.
    public mutating func shouldPrune(_ rolloutID: String, retention: RolloutRetention) -> Bool {
        guard retention.maxEvaluationsPerRollout != nil else { return false }
        let seen = commitsSeen[rolloutID, default: 0]
        commitsSeen[rolloutID] = seen + 1
        return seen % retention.pruneInterval == 0
    }
}
