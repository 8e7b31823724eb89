internal import GRDB

extension SQLiteRolloutStore {
    /// The schema's migrations, applied in order at open; a migration, once shipped, is never edited.
    ///
    /// Times are `REAL` Unix seconds. Each table keeps, beside its query columns, a `json`
    /// column with the whole value, so a later version can read fields that have no column yet.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: rollout_state, events, evaluations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE rollout_state (
                        rollout_id TEXT PRIMARY KEY NOT NULL,
                        phase TEXT NOT NULL,
                        percent REAL NOT NULL,
                        step INTEGER NOT NULL,
                        step_started_at REAL,
                        consecutive_failures INTEGER NOT NULL,
                        resume_phase TEXT,
                        updated_at REAL NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE TABLE events (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        rollout_id TEXT NOT NULL,
                        time REAL NOT NULL,
                        from_phase TEXT NOT NULL,
                        to_phase TEXT NOT NULL,
                        from_percent REAL NOT NULL,
                        to_percent REAL NOT NULL,
                        reason_kind TEXT NOT NULL,
                        message TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX events_rollout_time ON events (rollout_id, time);
                    CREATE TABLE evaluations (
                        id INTEGER PRIMARY KEY,
                        rollout_id TEXT NOT NULL,
                        time REAL NOT NULL,
                        phase TEXT NOT NULL,
                        percent REAL NOT NULL,
                        rollback_engaged INTEGER NOT NULL,
                        verdict TEXT NOT NULL,
                        score REAL NOT NULL,
                        decision TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX evaluations_rollout_time ON evaluations (rollout_id, time);
                    """)
        }
        migrator.registerMigration("v2: versions, shared rollback override") { db in
            // Every state change is a compare-and-set on `version`; a state stored before versions
            // were kept is version 1. An event row names the version its commit created, and the
            // unique index makes the database itself refuse a second commit of the same step.
            try db.execute(
                sql: """
                    ALTER TABLE rollout_state ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE rollout_state ADD COLUMN rollback_override TEXT;
                    ALTER TABLE events ADD COLUMN version INTEGER;
                    CREATE UNIQUE INDEX events_rollout_version ON events (rollout_id, version);
                    """)
        }
        return migrator
    }

    // MARK: Statements (values are always bound, never spliced into the SQL)

    static let upsertState = """
        INSERT INTO rollout_state
            (rollout_id, phase, percent, step, step_started_at, consecutive_failures, resume_phase, updated_at, json,
             rollback_override, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (rollout_id) DO UPDATE SET
            phase = excluded.phase, percent = excluded.percent, step = excluded.step,
            step_started_at = excluded.step_started_at, consecutive_failures = excluded.consecutive_failures,
            resume_phase = excluded.resume_phase, updated_at = excluded.updated_at, json = excluded.json,
            rollback_override = excluded.rollback_override, version = excluded.version
        """

    static let insertEvent = """
        INSERT INTO events
            (rollout_id, time, from_phase, to_phase, from_percent, to_percent, reason_kind, message, json, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let selectVersionedState = "SELECT version, json, rollback_override FROM rollout_state WHERE rollout_id = ?"

    static let insertEvaluation = """
        INSERT INTO evaluations
            (rollout_id, time, phase, percent, rollback_engaged, verdict, score, decision, json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Deletes all but the most recent `limit` evaluations of a rollout (by time, then insertion).
    static let pruneEvaluations = """
        DELETE FROM evaluations WHERE id IN (
            SELECT id FROM evaluations WHERE rollout_id = ?
            ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?
        )
        """

    /// The most recent `limit` matches, newest first (reversed by the caller).
    static let selectEvents = """
        SELECT sequence, version, json FROM events
        WHERE rollout_id = ? AND time >= ? AND sequence > ?
        ORDER BY sequence DESC LIMIT ?
        """

    /// The most recent `limit` matches, newest first (reversed by the caller).
    static let selectEvaluations = """
        SELECT json FROM evaluations
        WHERE rollout_id = ? AND time >= ?
        ORDER BY time DESC, id DESC LIMIT ?
        """
}
