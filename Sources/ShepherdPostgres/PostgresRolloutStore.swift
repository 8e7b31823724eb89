public import Canary
import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle
public import Shepherd
import Synchronization

/// The ``SharedRolloutStore`` of several Shepherd replicas, on PostgreSQL (postgres-nio).
///
/// One database coordinates every replica of a rollout; there is no protocol of Shepherd's own:
/// - `shepherd_rollout_state`: one row per rollout with its `version`; every commit is a
///   compare-and-set on it, inside one transaction that locks the row (`SELECT … FOR UPDATE`);
/// - `shepherd_events`: the audit log, `UNIQUE (rollout_id, version)`, so the database itself
///   refuses a second commit of the same step;
/// - `shepherd_evaluations`: each evaluation's health record (pruned by ``RolloutRetention``);
/// - `shepherd_lease`: the evaluator lease (holder, fencing `epoch`, `expires_at`,
///   `last_evaluation_at`), every time on the database's `now()`;
/// - `shepherd_health`: every replica's window buckets, upserted by (rollout, replica, path, bucket);
/// - `shepherd_replicas`: each replica's last heartbeat and report.
///
/// The schema is created and migrated at ``run()``'s start (version table
/// `shepherd_schema_version`, migrations serialised across replicas that start together by a
/// transaction-scoped advisory lock). Every call is bounded by
/// ``PostgresStoreConfiguration/operationTimeout``, so a database that does not answer fails a
/// call in about two seconds, never hangs it. After each new version the commit sends
/// `NOTIFY shepherd_rollout, 'ROLLOUT:VERSION'`.
///
/// The store is a `Service`: run it in the `ServiceGroup` beside the router (it runs the
/// `PostgresClient`'s connection pool). The password is never logged or put in an error.
///
/// ```swift
/// let store = PostgresRolloutStore(configuration: try PostgresStoreConfiguration(
///     url: "postgres://shepherd@127.0.0.1:5432/shepherd", password: env["SHEPHERD_POSTGRES_PASSWORD"]))
/// let group = ServiceGroup(services: [store, router, app], logger: logger)   // store first: it stops last
/// ```
public final class PostgresRolloutStore: SharedRolloutStore, Service {
    /// Where the database is.
    public let configuration: PostgresStoreConfiguration
    /// How much evaluation history is kept per rollout.
    public let retention: RolloutRetention
    let client: PostgresClient
    let logger: Logger
    let state = Mutex(Lifecycle())
    /// Finishes when ``close()`` is called, which ends ``run()``.
    private let closedSignal: AsyncStream<Void>
    private let closedContinuation: AsyncStream<Void>.Continuation

    struct Lifecycle {
        var migrated = false
        var closed = false
        var prune = PruneSchedule()
    }

    static let channel = "shepherd_rollout"

    /// Creates the store; nothing connects until ``run()`` runs.
    public init(
        configuration: PostgresStoreConfiguration, retention: RolloutRetention = .init(),
        logger: Logger = Logger(label: "shepherd.store.postgres")
    ) {
        self.configuration = configuration
        self.retention = retention
        self.logger = logger
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: .disable)
        client.options.connectTimeout = configuration.connectTimeout
        client.options.maximumConnections = max(2, configuration.maxConnections)
        client.options.minimumConnections = 0
        // postgres-nio's queries do not stop on task cancellation, so the operation timeout is also
        // the server's: a statement, a lock wait or an idle transaction past it is ended there,
        // and the call returns (a replica frozen mid-commit cannot hold the others' commits).
        let millis = String(Int(inSeconds(configuration.operationTimeout) * 1000))
        client.options.additionalStartupParameters = [
            ("statement_timeout", millis), ("lock_timeout", millis), ("idle_in_transaction_session_timeout", millis),
        ]
        if let schema = configuration.schema, PostgresStoreConfiguration.isPlainIdentifier(schema) {
            client.options.additionalStartupParameters.append(("search_path", schema))
        }
        self.client = PostgresClient(configuration: client, backgroundLogger: logger)
        (closedSignal, closedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Runs the connection pool until cancelled (or told to shut down), migrating the schema as
    /// soon as the database answers; calls made before then wait for it within their timeout.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await self.client.run()
                    return true
                }
                group.addTask {
                    for await _ in self.closedSignal {}
                    return true
                }
                group.addTask {
                    // The database may be down when the replica starts: keep trying, the replica serves meanwhile.
                    while !Task.isCancelled {
                        do {
                            try await self.migrate()
                            break
                        } catch {
                            self.logger.error("shared store: cannot migrate the schema yet: \(error)")
                            try await Task.sleep(for: .seconds(1))
                        }
                    }
                    return false
                }
                for try await ends in group where ends {
                    group.cancelAll()
                    break
                }
            }
        }
        state.withLock { $0.closed = true }
    }

    // MARK: Schema

    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE shepherd_rollout_state (
                rollout_id TEXT PRIMARY KEY, version BIGINT NOT NULL, json TEXT NOT NULL,
                rollback_override TEXT, updated_at DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE shepherd_events (
                sequence BIGSERIAL PRIMARY KEY, rollout_id TEXT NOT NULL, version BIGINT NOT NULL,
                time DOUBLE PRECISION NOT NULL, json TEXT NOT NULL, UNIQUE (rollout_id, version))
            """,
            "CREATE INDEX shepherd_events_rollout_time ON shepherd_events (rollout_id, time)",
            """
            CREATE TABLE shepherd_evaluations (
                id BIGSERIAL PRIMARY KEY, rollout_id TEXT NOT NULL, time DOUBLE PRECISION NOT NULL, json TEXT NOT NULL)
            """,
            "CREATE INDEX shepherd_evaluations_rollout_time ON shepherd_evaluations (rollout_id, time)",
            """
            CREATE TABLE shepherd_lease (
                rollout_id TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL, last_evaluation_at DOUBLE PRECISION)
            """,
            """
            CREATE TABLE shepherd_health (
                rollout_id TEXT NOT NULL, replica TEXT NOT NULL, path TEXT NOT NULL, bucket_number BIGINT NOT NULL,
                bucket_start DOUBLE PRECISION NOT NULL, json TEXT NOT NULL,
                PRIMARY KEY (rollout_id, replica, path, bucket_number))
            """,
            "CREATE INDEX shepherd_health_rollout_start ON shepherd_health (rollout_id, bucket_start)",
            """
            CREATE TABLE shepherd_replicas (
                rollout_id TEXT NOT NULL, replica TEXT NOT NULL, report TEXT NOT NULL,
                last_heartbeat DOUBLE PRECISION NOT NULL, PRIMARY KEY (rollout_id, replica))
            """,
        ]
    ]

    /// Brings the schema up to date; replicas starting together take turns on an advisory lock.
    func migrate() async throws {
        try await bounded("migrate") {}
    }

    /// The migration itself, run once per store before its first call (inside that call's timeout).
    private func migrateIfNeeded() async throws {
        guard !state.withLock({ $0.migrated }) else { return }
        try await self.client.withTransaction(logger: self.logger) { connection in
            // Replicas migrating the same schema take turns; other schemas do not wait on them.
            let lock = "shepherd-migrate:\(self.configuration.schema ?? "public")"
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lock)))", logger: self.logger)
            if let schema = self.configuration.schema, PostgresStoreConfiguration.isPlainIdentifier(schema) {
                // A plain identifier (checked), quoted: identifiers cannot be bound parameters.
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: self.logger)
            }
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS shepherd_schema_version (version INT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                logger: self.logger)
            var current = 0
            for try await version in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM shepherd_schema_version", logger: self.logger
            ).decode(Int.self) {
                current = version
            }
            for (index, statements) in Self.migrations.enumerated() where index + 1 > current {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO shepherd_schema_version (version, applied_at) VALUES (\(index + 1), extract(epoch from now())::float8)",
                    logger: self.logger)
            }
        }
        state.withLock { $0.migrated = true }
    }

    // MARK: RolloutStore

    public func state(of rolloutID: String) async throws -> VersionedRolloutState? {
        try await bounded("read state") {
            let rows = try await self.client.query(
                "SELECT version, json, rollback_override FROM shepherd_rollout_state WHERE rollout_id = \(rolloutID) AND version > 0",
                logger: self.logger)
            for try await (version, json, override) in rows.decode((Int64, String, String?).self) {
                return VersionedRolloutState(
                    state: try Self.decode(RampState<WallClock.Instant>.self, json, "read state"), version: version,
                    rollbackOverride: try override.map { try Self.decode(RollbackOverride.self, $0, "read state") })
            }
            return nil
        }
    }

    public func commit(_ change: RolloutChange, expectedVersion: Int64) async throws -> CommitOutcome {
        let stateJSON = try Self.encode(change.state)
        let overrideJSON = try change.rollbackOverride.map { try Self.encode($0) }
        let eventJSON = try change.event.map { try Self.encode($0) }
        let evaluationJSON = try change.evaluation.map { try Self.encode($0) }
        let id = change.rolloutID
        let retention = retention
        let keep: Int? =
            change.evaluation != nil && state.withLock({ $0.prune.shouldPrune(change.rolloutID, retention: retention) })
            ? retention.maxEvaluationsPerRollout : nil
        return try await bounded("commit") {
            try await self.client.withTransaction(logger: self.logger) { connection -> CommitOutcome in
                if let fence = change.fence {
                    var holds = false
                    for try await (holder, epoch) in try await connection.query(
                        "SELECT holder, epoch FROM shepherd_lease WHERE rollout_id = \(id) FOR UPDATE",
                        logger: self.logger
                    ).decode((String, Int64).self) {
                        holds = holder == fence.holder && epoch == fence.epoch
                    }
                    guard holds else { return .fenced(fence) }
                }
                // A placeholder row (version 0) makes two first commits queue on one row lock.
                try await connection.query(
                    "INSERT INTO shepherd_rollout_state (rollout_id, version, json, updated_at) VALUES (\(id), 0, '', 0) ON CONFLICT DO NOTHING",
                    logger: self.logger)
                var stored: (Int64, String, String?) = (0, "", nil)
                for try await row in try await connection.query(
                    "SELECT version, json, rollback_override FROM shepherd_rollout_state WHERE rollout_id = \(id) FOR UPDATE",
                    logger: self.logger
                ).decode((Int64, String, String?).self) {
                    stored = row
                }
                guard stored.0 == expectedVersion else { return .conflict(storedVersion: stored.0) }
                let unchanged = eventJSON == nil && stored.0 > 0 && stored.1 == stateJSON && stored.2 == overrideJSON
                var version = stored.0
                var sequence: Int64?
                if !unchanged {
                    version += 1
                    try await connection.query(
                        """
                        UPDATE shepherd_rollout_state SET version = \(version), json = \(stateJSON),
                            rollback_override = \(overrideJSON), updated_at = extract(epoch from now())::float8
                        WHERE rollout_id = \(id)
                        """, logger: self.logger)
                    if let eventJSON, let event = change.event {
                        for try await value in try await connection.query(
                            """
                            INSERT INTO shepherd_events (rollout_id, version, time, json)
                            VALUES (\(id), \(version), \(event.time.unixSeconds), \(eventJSON)) RETURNING sequence
                            """, logger: self.logger
                        ).decode(Int64.self) {
                            sequence = value
                        }
                    }
                    let payload = "\(id):\(version)"
                    try await connection.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: self.logger)
                }
                if let evaluationJSON, let evaluation = change.evaluation {
                    try await connection.query(
                        "INSERT INTO shepherd_evaluations (rollout_id, time, json) VALUES (\(id), \(evaluation.time.unixSeconds), \(evaluationJSON))",
                        logger: self.logger)
                    if let keep {
                        try await connection.query(
                            """
                            DELETE FROM shepherd_evaluations WHERE rollout_id = \(id) AND id IN (
                                SELECT id FROM shepherd_evaluations WHERE rollout_id = \(id)
                                ORDER BY time DESC, id DESC OFFSET \(keep))
                            """, logger: self.logger)
                    }
                    if let fence = change.fence {
                        try await connection.query(
                            """
                            UPDATE shepherd_lease SET last_evaluation_at = extract(epoch from now())::float8
                            WHERE rollout_id = \(id) AND holder = \(fence.holder) AND epoch = \(fence.epoch)
                            """, logger: self.logger)
                    }
                }
                return .committed(version: version, sequence: sequence)
            }
        }
    }

    public func events(
        of rolloutID: String, since: WallClock.Instant?, afterSequence: Int64?, limit: Int
    ) async throws -> [StoredEvent] {
        guard limit > 0 else { return [] }
        let earliest = since?.unixSeconds ?? -Double.greatestFiniteMagnitude
        let after = afterSequence ?? Int64.min
        return try await bounded("read events") {
            var events: [StoredEvent] = []
            for try await (sequence, version, json) in try await self.client.query(
                """
                SELECT sequence, version, json FROM shepherd_events
                WHERE rollout_id = \(rolloutID) AND time >= \(earliest) AND sequence > \(after)
                ORDER BY sequence DESC LIMIT \(limit)
                """, logger: self.logger
            ).decode((Int64, Int64, String).self) {
                events.append(
                    StoredEvent(
                        sequence: sequence, version: version, rolloutID: rolloutID,
                        event: try Self.decode(RampEvent<WallClock.Instant>.self, json, "read events")))
            }
            return events.reversed()
        }
    }

    public func evaluations(of rolloutID: String, since: WallClock.Instant?, limit: Int) async throws
        -> [EvaluationRecord]
    {
        guard limit > 0 else { return [] }
        let earliest = since?.unixSeconds ?? -Double.greatestFiniteMagnitude
        return try await bounded("read evaluations") {
            var records: [EvaluationRecord] = []
            for try await json in try await self.client.query(
                """
                SELECT json FROM shepherd_evaluations WHERE rollout_id = \(rolloutID) AND time >= \(earliest)
                ORDER BY time DESC, id DESC LIMIT \(limit)
                """, logger: self.logger
            ).decode(String.self) {
                records.append(try Self.decode(EvaluationRecord.self, json, "read evaluations"))
            }
            return records.reversed()
        }
    }

    public func rolloutIDs() async throws -> [String] {
        try await bounded("read rollout ids") {
            var ids: [String] = []
            for try await id in try await self.client.query(
                "SELECT rollout_id FROM shepherd_rollout_state WHERE version > 0 ORDER BY rollout_id",
                logger: self.logger
            ).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
    }

    public func isHealthy() async -> Bool {
        (try? await databaseNow()) != nil
    }

    /// Closes the store: later calls fail, and ``run()`` returns (closing the connections).
    public func close() async throws {
        state.withLock { $0.closed = true }
        closedContinuation.finish()
    }

    // MARK: Support

    static func lease(_ holder: String, _ epoch: Int64, _ expires: Double, _ last: Double?, _ now: Double) -> LeaseState
    {
        LeaseState(
            fence: LeaseFence(holder: holder, epoch: epoch), expiresAt: WallClock.Instant(unixSeconds: expires),
            lastEvaluationAt: last.map { WallClock.Instant(unixSeconds: $0) }, now: WallClock.Instant(unixSeconds: now))
    }

    /// Runs `body` within the operation timeout, turning every failure into a ``RolloutStoreError``.
    @discardableResult
    func bounded<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if state.withLock({ $0.closed }) {
            throw RolloutStoreError(operation: operation, reason: "the store is closed; database: \(configuration)")
        }
        let timeout = configuration.operationTimeout
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await self.migrateIfNeeded()
                    return try await body()
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw RolloutStoreError(
                        operation: operation,
                        reason: "PostgreSQL did not answer within \(DurationText.format(timeout)) at "
                            + "\(configuration.host):\(configuration.port)")
                }
                return value
            }
        } catch let error as RolloutStoreError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw RolloutStoreError(operation: operation, reason: "\(Self.reason(error)); database: \(configuration)")
        }
    }

    /// The server's message and SQLSTATE, or what to check for a connection failure; never the query or its values.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            // The failure inside the transaction, not its wrapper.
            if let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
                return reason(inner)
            }
        }
        if let error = error as? RolloutStoreError { return error.reason }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            return "cannot talk to PostgreSQL (\(error.code)): check that the server runs, accepts TCP connections "
                + "from this host, and knows the user and SHEPHERD_POSTGRES_PASSWORD"
        }
        return "\(type(of: error))"
    }

    static func encode(_ value: some Encodable) throws -> String { try StoreCoding.encode(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ operation: String) throws -> T {
        do {
            return try StoreCoding.decode(type, from: text)
        } catch {
            throw RolloutStoreError(operation: operation, reason: "a stored row's JSON does not decode: \(error)")
        }
    }
}
