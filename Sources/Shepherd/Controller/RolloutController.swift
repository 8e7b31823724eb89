public import Canary
public import Logging
import Synchronization

/// The life of one rollout: judge the health window, move the ramp, apply operator commands,
/// store every decision, and publish the percentage the request path reads.
///
/// ``MigrationRouter`` splits and answers calls; this controller steers. The router records
/// every call into ``window`` and reads ``effectivePercent`` from memory: a request never waits
/// on the controller's store. The controller is built on the pure `RampController` and talks to
/// any ``RolloutStore``:
///
/// - on an embedded store (SQLite, in memory) it is the only writer: ``run()`` evaluates this
///   process's window on the policy's interval;
/// - on a ``SharedRolloutStore`` (PostgreSQL) it is one replica of a fleet: ``run()`` follows the
///   stored version, publishes this replica's health, and evaluates the sum of every replica's
///   health while it holds the evaluator lease (see `RolloutController+Fleet.swift`).
///
/// Every change is a compare-and-set on the stored version, so two writers can never both
/// commit a decision made on the same state. It is a swift-service-lifecycle `Service`: run it
/// in the application's `ServiceGroup`.
///
/// ```swift
/// let router = try await MigrationRouter(legacy: legacy, relay: relay, configuration: .init(policy: policy), store: store)
/// let group = ServiceGroup(services: [router.controller, app], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await router.controller.apply(.pause, reason: "holding for the weekend")
/// ```
public final class RolloutController<C: Clock>: Sendable where C.Duration == Duration {
    /// How the controller steers the rollout.
    public struct Configuration: Sendable {
        /// The rollout policy (ramp, health, window).
        public var policy: RolloutPolicy
        /// Start the rollout at the initial percentage when the store has no state for it. Default `true`.
        public var autoStart: Bool
        /// How many recent decisions ``RolloutController/status(breakers:)`` reports. Default 20.
        public var recentDecisionLimit: Int
        /// On a ``SharedRolloutStore``: this replica's coordination settings.
        public var fleet: FleetConfiguration

        /// Creates a configuration.
        public init(
            policy: RolloutPolicy, autoStart: Bool = true, recentDecisionLimit: Int = 20,
            fleet: FleetConfiguration = FleetConfiguration()
        ) {
            self.policy = policy
            self.autoStart = autoStart
            self.recentDecisionLimit = recentDecisionLimit
            self.fleet = fleet
        }
    }

    struct Control: Sendable {
        var ramp: RampController<WallClock.Instant>
        /// When the current step began, on the controller's clock (the window's time base).
        var stepStartedOnClock: C.Instant
        var recentDecisions: [RampDecision<WallClock.Instant>] = []
        /// The stored version the ramp is at (0: nothing stored, or not synced yet).
        var version: Int64 = 0
        /// The shared admin rollback switch as stored.
        var rollbackOverride: RollbackOverride?
        /// On a shared store: what this replica knows of the fleet.
        var fleet = FleetView()
        /// The store's reachability as last logged (`nil`: not yet).
        var reportedReachable: Bool?
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The rollout's id.
    public var rolloutID: String { configuration.policy.rolloutID }
    /// The rollback switch the controller obeys: any engaged source sends 100% to legacy and freezes the ramp.
    public let rollbackSwitch: RollbackSwitch
    /// The health window of both paths, which the request path records into and evaluations judge.
    public let window: HealthWindow<C>

    let store: any RolloutStore
    let clock: C
    let wallNow: @Sendable () -> WallClock.Instant
    let scorer: HealthScorer
    let control: Mutex<Control>
    /// Serialises decisions (an evaluation, a command): each reads the ramp, writes the store and
    /// only then publishes, and two of them must not interleave across those `await`s.
    let controlLock = AsyncLock()
    let metrics: RouterMetrics
    let logger: Logger
    /// The shadow phase's pairs since it began (see `RolloutController+Shadow.swift`).
    let shadowTally = Mutex(ShadowTally<C.Instant>())
    /// The shadow phase's relay calls, run beside the evaluations.
    let shadowRunner = ShadowRunner()

    /// Creates a controller, resuming the rollout's stored state (or starting it).
    ///
    /// On an embedded store the stored state is read (or the rollout started) before this
    /// returns. On a ``SharedRolloutStore`` nothing waits on the database: the controller
    /// publishes 0% until ``run()`` first reads the stored state.
    ///
    /// - Parameters:
    ///   - configuration: the policy and how the controller applies it.
    ///   - store: where state, history and (when shared) coordination live.
    ///   - rollbackSwitch: the emergency brake (default: released; the caller reads the environment).
    ///   - clock: the clock the window and the evaluation schedule run on.
    ///   - wallNow: calendar time for stored state and events on an embedded store (a shared
    ///     store stamps decisions with the database's time instead).
    ///   - logger: where decisions and alarms are logged (never a secret).
    /// - Throws: a ``RolloutStoreError`` when an embedded store's state cannot be read or the start stored.
    public init(
        configuration: Configuration,
        store: any RolloutStore,
        rollbackSwitch: RollbackSwitch = RollbackSwitch(),
        clock: C,
        wallNow: @escaping @Sendable () -> WallClock.Instant = { WallClock().now },
        logger: Logger = Logger(label: "shepherd.rollout")
    ) async throws {
        let policy = configuration.policy
        self.configuration = configuration
        self.store = store
        self.rollbackSwitch = rollbackSwitch
        self.clock = clock
        self.wallNow = wallNow
        self.logger = logger
        self.window = HealthWindow(configuration: policy.window, clock: clock)
        self.scorer = HealthScorer(configuration: policy.health)
        self.metrics = RouterMetrics(rolloutID: policy.rolloutID)
        self.control = Mutex(Control(ramp: RampController(policy: policy.ramp), stepStartedOnClock: clock.now))
        if store is any SharedRolloutStore {
            // A replica never waits on the shared database to start: it serves 0% relay until its
            // first sync (run()), and the control loop starts the rollout if nobody has.
            logger.notice(
                "rollout \(policy.rolloutID) on a shared store as replica \(configuration.fleet.replicaID): 0% relay until the first sync",
                metadata: ["rollout": "\(policy.rolloutID)"])
        } else {
            try await resumeOrStart()
        }
        rollbackSwitch.onChange { [weak self, metrics, logger, rolloutID = policy.rolloutID] switchState in
            guard let state = self?.state else { return }
            metrics.publish(state: state, rollbackEngaged: switchState.isEngaged)
            let sources = switchState.engagedBy.map(\.rawValue).sorted().joined(separator: ", ")
            if switchState.isEngaged {
                logger.critical(
                    "rollback switch engaged (\(sources)): all traffic to legacy, ramp frozen",
                    metadata: ["rollout": "\(rolloutID)"])
            } else {
                logger.notice("rollback switch released: traffic returns to \(formatPercent(state.effectivePercent))")
            }
        }
        if let problem = rollbackSwitch.state.configurationError {
            logger.error("\(problem)")
        } else if rollbackSwitch.isEngaged {
            // Engaged before this process started (SHEPHERD_ROLLBACK=1): say so as loudly as a change.
            let sources = rollbackSwitch.state.engagedBy.map(\.rawValue).sorted().joined(separator: ", ")
            logger.critical(
                "rollback switch engaged at start (\(sources)): all traffic to legacy, ramp frozen",
                metadata: ["rollout": "\(policy.rolloutID)"])
        }
        metrics.publish(state: control.withLock { $0.ramp.state }, rollbackEngaged: rollbackSwitch.isEngaged)
    }

    /// The percentage the split uses now: the ramp's, or 0 while the rollback switch is engaged.
    ///
    /// Read from memory on every request; never waits on the store.
    public var effectivePercent: Double {
        rollbackSwitch.isEngaged ? 0 : control.withLock { $0.ramp.state.effectivePercent }
    }

    /// The ramp's state as last stored or followed.
    public var state: RampState<WallClock.Instant> { control.withLock { $0.ramp.state } }

    /// The stored version the ramp is at (0 before the first commit or sync).
    public var version: Int64 { control.withLock { $0.version } }
}
