extension SQLiteRolloutStore {
    /// How ``SQLiteRolloutStore`` opens and keeps its database.
    ///
    /// Durability is not configurable: the store always runs in WAL mode with
    /// `synchronous = FULL`, because a committed transition that a crash or a power
    /// cut could take back would let a restart resume at a state the audit log
    /// contradicts. See ``SQLiteRolloutStore`` for the reasoning.
    ///
    /// ```swift
    /// let store = try SQLiteRolloutStore(
    ///     path: "/var/lib/shepherd/state.sqlite",
    ///     configuration: .init(busyTimeout: .seconds(2), retention: .init(maxEvaluationsPerRollout: 50_000)))
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// How long a write waits for another process's lock on the file (the `shepherd` tool
        /// reading history while the server runs, say) before failing. Default: 5 seconds.
        public var busyTimeout: Duration
        /// The evaluation history kept per rollout. Default: 20,000 records, pruned every 100 commits.
        public var retention: RolloutRetention
        /// Whether this process runs the file's rollout alone: opening takes a lock beside the
        /// file (`PATH.lock`) and is refused while another process holds it. `shepherd serve`
        /// and the demo set it; tools that only read a running server's file (`shepherd report`)
        /// leave it off. Default `false`.
        public var exclusive: Bool
        /// Whether opening runs SQLite's integrity check and refuses a damaged file, naming it and
        /// the way out, instead of serving from it until a write fails. Default `true`.
        public var checkIntegrity: Bool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - busyTimeout: how long to wait for a lock held by another process.
        ///   - retention: the evaluation history kept per rollout.
        ///   - exclusive: whether this process runs the file's rollout alone (a lock beside the file).
        ///   - checkIntegrity: whether a damaged file is refused at open.
        public init(
            busyTimeout: Duration = .seconds(5), retention: RolloutRetention = .init(), exclusive: Bool = false,
            checkIntegrity: Bool = true
        ) {
            self.busyTimeout = busyTimeout
            self.retention = retention
            self.exclusive = exclusive
            self.checkIntegrity = checkIntegrity
        }
    }
}
