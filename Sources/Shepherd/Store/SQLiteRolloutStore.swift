public import Canary
internal import GRDB
import Synchronization

/// A ``RolloutStore`` in one SQLite file (GRDB, WAL), embedded in the process.
///
/// Three tables hold a rollout between restarts:
/// - `rollout_state`: one row per rollout (phase, percent, step, step start, failures
///   in a row, resume phase), upserted at every commit;
/// - `events`: the audit log, one row per transition with its structured reason,
///   numbered by `sequence` and never pruned;
/// - `evaluations`: both paths' health at each evaluation, pruned to
///   ``RolloutRetention/maxEvaluationsPerRollout``.
///
/// Each row has query columns (times as `REAL` Unix seconds) and a `json` column with
/// the whole value; reads decode the JSON, so a later version can add fields without a
/// migration. One ``commit(_:)`` is one transaction: the state, its event and its
/// evaluation land together or not at all. ``events(of:since:afterSequence:limit:)`` orders
/// by sequence (commit order); ``evaluations(of:since:limit:)`` and pruning order by time.
///
/// **Durability.** The database runs in WAL mode with `synchronous = FULL`. In WAL mode a
/// transaction is committed once its frames are appended to the `-wal` file; that alone
/// survives `kill -9`, because the frames are in the kernel's page cache the moment the
/// write returns. `FULL` adds an `fsync` of the WAL at every commit, so a committed
/// transition also survives a power cut or a kernel crash (`NORMAL`, GRDB's default for
/// WAL, may lose the last transactions then). The price is one `fsync` per commit, which
/// at one evaluation every 30 seconds is nothing. Writes are serialised by GRDB's writer
/// connection; reads run on reader connections and never block a commit.
///
/// A restart resumes at the stored state: ``state(of:)`` returns it, and the rollout controller
/// builds its `RampController` from it. The health window is not stored, so after a
/// restart the scorer starts from insufficient data and the ramp holds until it has data.
///
/// ```swift
/// let store = try SQLiteRolloutStore(path: "/var/lib/shepherd/state.sqlite")
/// var ramp = RampController<WallClock.Instant>(policy: policy, state: try await store.state(of: "checkout"))
/// let event = try ramp.apply(.start, now: WallClock().now)
/// try await store.commit(.init(rolloutID: "checkout", state: ramp.state, event: event))
/// let audit = try await store.events(of: "checkout", since: nil, afterSequence: nil, limit: 100)
/// try await store.close()
/// ```
public final class SQLiteRolloutStore: RolloutStore {
    /// The database file.
    public let path: String
    /// How the store was opened.
    public let configuration: Configuration

    private struct Handle {
        /// `nil` once closed.
        var pool: DatabasePool?
        var prune = PruneSchedule()
    }

    private let handle: Mutex<Handle>
    /// The lock of an exclusive store, released at ``close()``.
    private let lock: StateFileLock?

    /// Opens the database at `path`, creating the file and its schema when missing.
    ///
    /// Migrations run here (GRDB's `DatabaseMigrator`), so a file from an older version is
    /// brought up to date before the first read.
    ///
    /// - Parameters:
    ///   - path: the database file; its directory must exist and be writable (SQLite also
    ///     writes `path-wal` and `path-shm` beside it).
    ///   - configuration: busy timeout and evaluation retention.
    /// - Throws: ``RolloutStoreError`` with operation `open` naming `path` when the file cannot
    ///   be opened or created, is not a SQLite database, cannot be written, is damaged (with
    ///   ``Configuration/checkIntegrity``), or another process runs its rollout (with
    ///   ``Configuration/exclusive``).
    public init(path: String, configuration: Configuration = .init()) throws {
        self.path = path
        self.configuration = configuration
        let lock = try configuration.exclusive ? StateFileLock(database: path) : nil
        self.lock = lock
        var options = GRDB.Configuration()
        options.label = "shepherd.rollout-store"
        options.journalMode = .wal
        options.busyMode = .timeout(max(0, inSeconds(configuration.busyTimeout)))
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: options)
            // DatabasePool sets `synchronous = NORMAL` when it turns WAL on, after any
            // `prepareDatabase` hook; raise it here on the writer, the only connection that commits.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            if configuration.checkIntegrity { try Self.checkIntegrity(pool, path: path) }
            try Self.migrator.migrate(pool)
        } catch {
            lock?.release()
            throw Self.storeError(error, operation: "open", path: path, isClosed: false)
        }
        handle = Mutex(Handle(pool: pool))
    }

    // MARK: Reads

    public func state(of rolloutID: String) async throws -> VersionedRolloutState? {
        let operation = "read state"
        let row = try await run(operation) { pool in
            try await pool.read { db in try Self.storedRow(db, rolloutID) }
        }
        guard let row else { return nil }
        return VersionedRolloutState(
            state: try decode(RampState<WallClock.Instant>.self, from: row.json, operation: operation),
            version: row.version,
            rollbackOverride: try row.override.map { try decode(RollbackOverride.self, from: $0, operation: operation) }
        )
    }

    /// The stored row's version and JSON, read inside a transaction.
    private static func storedRow(_ db: Database, _ rolloutID: String) throws -> StoredRow? {
        try Row.fetchOne(db, sql: selectVersionedState, arguments: [rolloutID]).map { row in
            StoredRow(version: row["version"], json: row["json"], override: row["rollback_override"])
        }
    }

    public func events(
        of rolloutID: String, since: WallClock.Instant?, afterSequence: Int64?, limit: Int
    ) async throws -> [StoredEvent] {
        let operation = "read events"
        let arguments = QueryBounds(rolloutID: rolloutID, since: since, afterSequence: afterSequence, limit: limit)
        let rows = try await readNewest(operation, limit: limit) { db in
            try Row.fetchAll(db, sql: Self.selectEvents, arguments: arguments.eventArguments).map { row in
                RawEvent(sequence: row["sequence"], version: row["version"], json: row["json"])
            }
        }
        return try rows.reversed().map { raw in
            StoredEvent(
                sequence: raw.sequence, version: raw.version ?? 0, rolloutID: rolloutID,
                event: try decode(RampEvent<WallClock.Instant>.self, from: raw.json, operation: operation))
        }
    }

    public func evaluations(
        of rolloutID: String, since: WallClock.Instant?, limit: Int
    ) async throws -> [EvaluationRecord] {
        let operation = "read evaluations"
        let arguments = QueryBounds(rolloutID: rolloutID, since: since, afterSequence: nil, limit: limit)
        let rows = try await readNewest(operation, limit: limit) { db in
            try String.fetchAll(db, sql: Self.selectEvaluations, arguments: arguments.evaluationArguments)
        }
        return try rows.reversed().map { try decode(EvaluationRecord.self, from: $0, operation: operation) }
    }

    public func rolloutIDs() async throws -> [String] {
        try await run("read rollout ids") { pool in
            try await pool.read { db in
                try String.fetchAll(db, sql: "SELECT rollout_id FROM rollout_state ORDER BY rollout_id")
            }
        }
    }

    // MARK: Writes

    public func commit(_ change: RolloutChange, expectedVersion: Int64) async throws -> CommitOutcome {
        let operation = "commit"
        _ = try currentPool(operation)
        let rows: EncodedChange
        do {
            rows = try EncodedChange(change)
        } catch {
            throw RolloutStoreError(operation: operation, reason: "cannot encode the change as JSON: \(error)")
        }
        let pruneKeeping: Int? =
            if change.evaluation != nil,
                handle.withLock({ $0.prune.shouldPrune(change.rolloutID, retention: configuration.retention) })
            {
                configuration.retention.maxEvaluationsPerRollout
            } else {
                nil
            }
        return try await run(operation) { pool in
            try await pool.write { db -> CommitOutcome in
                let stored = try Self.storedRow(db, rows.rolloutID)
                let storedVersion = stored?.version ?? 0
                guard storedVersion == expectedVersion else { return .conflict(storedVersion: storedVersion) }
                // Nothing changed but the evaluation: store it, and the version stays.
                let unchanged =
                    rows.event == nil && stored?.json == rows.state.json && stored?.override == rows.override
                var version = storedVersion
                var sequence: Int64?
                if !unchanged {
                    version += 1
                    try db.execute(sql: Self.upsertState, arguments: rows.stateArguments(version: version))
                    if let eventArguments = rows.eventArguments(version: version) {
                        try db.execute(sql: Self.insertEvent, arguments: eventArguments)
                        sequence = db.lastInsertedRowID
                    }
                }
                if let evaluationArguments = rows.evaluationArguments {
                    try db.execute(sql: Self.insertEvaluation, arguments: evaluationArguments)
                }
                if let pruneKeeping {
                    try db.execute(sql: Self.pruneEvaluations, arguments: [rows.rolloutID, pruneKeeping])
                }
                return .committed(version: version, sequence: sequence)
            }
        }
    }

    // MARK: Health and lifecycle

    /// Whether the store can take a commit: it is open and the writer can take the write
    /// lock and run `SELECT 1` (then rolls back, writing nothing).
    public func isHealthy() async -> Bool {
        guard let pool = handle.withLock({ $0.pool }) else { return false }
        do {
            return try await pool.writeWithoutTransaction { db in
                var answered = false
                try db.inTransaction(.immediate) {
                    answered = try Int.fetchOne(db, sql: "SELECT 1") == 1
                    return .rollback
                }
                return answered
            }
        } catch {
            return false
        }
    }

    /// Checkpoints the WAL into the database file (`wal_checkpoint(TRUNCATE)`) and closes
    /// every connection. Later calls throw ``RolloutStoreError``; closing twice does nothing.
    ///
    /// A commit already running finishes first; one that starts after `close` fails.
    ///
    /// - Throws: ``RolloutStoreError`` with operation `close` when the database could not be
    ///   closed cleanly; what was committed is safe either way.
    public func close() async throws {
        let pool: DatabasePool? = handle.withLock { handle in
            defer { handle.pool = nil }
            return handle.pool
        }
        guard let pool else { return }
        var failure: (any Error)?
        do {
            try await pool.writeWithoutTransaction { db in
                // Busy (a reader still open) is not an error: the last connection to close checkpoints anyway.
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            failure = error
        }
        do {
            try pool.close()
        } catch {
            failure = failure ?? error
        }
        lock?.release()
        if let failure {
            throw Self.storeError(failure, operation: "close", path: path, isClosed: false)
        }
    }

    // MARK: Support

    /// The durability settings in force on the writer connection (for tests and diagnostics).
    struct ConnectionSettings: Sendable, Hashable {
        var journalMode: String
        /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        var synchronous: Int
        /// Milliseconds.
        var busyTimeout: Int
    }

    /// Reads the writer connection's `journal_mode`, `synchronous` and `busy_timeout`.
    func connectionSettings() async throws -> ConnectionSettings {
        try await run("read settings") { pool in
            try await pool.writeWithoutTransaction { db in
                ConnectionSettings(
                    journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                    synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                    busyTimeout: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? -1)
            }
        }
    }

    private func currentPool(_ operation: String) throws(RolloutStoreError) -> DatabasePool {
        guard let pool = handle.withLock({ $0.pool }) else {
            throw RolloutStoreError(operation: operation, reason: "the store is closed; database: \(path)")
        }
        return pool
    }

    /// Runs a database access, turning every failure but cancellation into a ``RolloutStoreError``.
    /// The rows `fetch` reads (the newest first, at most `limit`); none, without reading, for a
    /// `limit` below one, though a closed store still throws.
    private func readNewest<Value: Sendable>(
        _ operation: String, limit: Int, _ fetch: @escaping @Sendable (Database) throws -> [Value]
    ) async throws -> [Value] {
        guard limit > 0 else {
            _ = try currentPool(operation)
            return []
        }
        return try await run(operation) { pool in try await pool.read(fetch) }
    }

    private func run<T: Sendable>(
        _ operation: String, _ access: (DatabasePool) async throws -> T
    ) async throws -> T {
        let pool = try currentPool(operation)
        do {
            return try await access(pool)
        } catch let error as CancellationError {
            throw error
        } catch {
            let isClosed = handle.withLock { $0.pool == nil }
            throw Self.storeError(error, operation: operation, path: path, isClosed: isClosed)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from json: String, operation: String) throws -> T {
        do {
            return try StoreCoding.decode(type, from: json)
        } catch {
            throw RolloutStoreError(
                operation: operation, reason: "a stored row's JSON does not decode: \(error); database: \(path)")
        }
    }

    /// Names the operation, the database's own message and code, and the file; never SQL or values.
    private static func storeError(
        _ error: any Error, operation: String, path: String, isClosed: Bool
    ) -> RolloutStoreError {
        if let error = error as? RolloutStoreError { return error }
        if isClosed {
            return RolloutStoreError(operation: operation, reason: "the store is closed; database: \(path)")
        }
        guard let error = error as? DatabaseError else {
            return RolloutStoreError(operation: operation, reason: "\(error); database: \(path)")
        }
        var reason =
            "\(error.message ?? "SQLite error") (SQLite code \(error.extendedResultCode.rawValue)); database: \(path)"
        if let hint = hint(for: error.resultCode) { reason += "; \(hint)" }
        return RolloutStoreError(operation: operation, reason: reason)
    }

    /// Refuses a damaged file before anything is served from it: a damaged page of the audit log
    /// would otherwise surface only when an operator's rollback fails to commit.
    private static func checkIntegrity(_ pool: DatabasePool, path: String) throws {
        let problems: [String]
        do {
            problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check(5)") }
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        {
            problems = [error.message ?? "unreadable"]
        }
        guard problems != ["ok"] else { return }
        throw RolloutStoreError(
            operation: "open",
            reason: "\(path) is damaged (SQLite integrity check: \(problems.prefix(3).joined(separator: "; "))): "
                + "restore it from a backup, or move it (and its -wal and -shm files) aside to start the rollout "
                + "afresh at its first step; its audit log is then lost")
    }

    /// What an operator can do about the failures that come from the file rather than from a bug.
    private static func hint(for code: ResultCode) -> String? {
        switch code {
        case .SQLITE_CANTOPEN: "check that the directory exists and that this process may create files in it"
        case .SQLITE_NOTADB: "the file is not a SQLite database: move it away or configure another path"
        case .SQLITE_READONLY, .SQLITE_PERM: "the file or its directory is read-only for this process"
        case .SQLITE_BUSY: "another process holds the database locked; only one Shepherd may write to a file"
        case .SQLITE_FULL: "the disk is full"
        case .SQLITE_CORRUPT: "the file is damaged: restore it from a backup or start from a new path"
        default: nil
        }
    }
}
