import Canary

/// How a replica takes part in a rollout shared through a ``SharedRolloutStore``.
///
/// Ignored on an embedded store (SQLite, in memory), where the process is the only one.
public struct FleetConfiguration: Sendable {
    /// This replica's id, unique per process start (default: host, process id and a random suffix).
    /// A restarted replica gets a new id, so it never overwrites the health buckets it published
    /// before it died: that traffic happened and still counts.
    public var replicaID: String
    /// How often the replica polls the stored version (the backstop of LISTEN/NOTIFY), renews or
    /// tries the lease, and checks whether an evaluation is due. Default 1 s.
    public var syncInterval: Duration
    /// How often it publishes its health buckets and its heartbeat. Default 2 s.
    public var publishInterval: Duration
    /// How long the evaluator lease lasts without a renewal, on the database's clock. Default 10 s:
    /// another replica takes over within this plus one ``syncInterval`` after the evaluator dies.
    public var leaseDuration: Duration
    /// A replica whose heartbeat is older than this is no longer listed. Default 60 s.
    public var replicaListWindow: Duration

    /// Creates a configuration.
    public init(
        replicaID: String = FleetConfiguration.defaultReplicaID(), syncInterval: Duration = .seconds(1),
        publishInterval: Duration = .seconds(2), leaseDuration: Duration = .seconds(10),
        replicaListWindow: Duration = .seconds(60)
    ) {
        self.replicaID = replicaID
        self.syncInterval = syncInterval
        self.publishInterval = publishInterval
        self.leaseDuration = leaseDuration
        self.replicaListWindow = replicaListWindow
    }

    /// `host-pid-xxxx`: readable in the fleet view, new at every start.
    public static func defaultReplicaID() -> String {
        let host = ProcessIdentity.hostName()
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(host)-\(ProcessIdentity.processID())-\(suffix)"
    }
}

/// What a replica knows of the fleet, for the status and the metrics.
public struct FleetView: Sendable, Codable, Hashable {
    /// This replica.
    public var replicaID: String = ""
    /// Whether the shared store answered the control loop's last call.
    public var storeReachable: Bool = false
    /// Whether this replica has read the stored state at least once since it started.
    public var synced: Bool = false
    /// Why the replica serves what it serves, when it is not simply following the store
    /// (not synced yet, the database unreachable).
    public var note: String?
    /// The evaluator lease as last read.
    public var lease: LeaseState?
    /// Whether this replica holds the lease.
    public var isEvaluator: Bool = false
    /// The replicas that reported recently.
    public var replicas: [ReplicaRecord] = []
    /// The fleet's summed health at the last evaluation this replica saw.
    public var legacy: PathSummary?
    public var relay: PathSummary?
    /// Writes refused by the lease's fencing epoch, since start.
    public var fencedWrites: Int = 0

    /// An empty view.
    public init() {}
}
