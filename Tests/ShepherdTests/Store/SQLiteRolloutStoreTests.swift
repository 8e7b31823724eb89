import Canary
import Foundation
import GRDB
import Testing

@testable import Shepherd

/// What only the SQLite file can show: restarts, durability settings, the columns on disk, bad files.
struct SQLiteRolloutStoreTests {
    @Test func restartResumesAtTheStoredState() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let steps = try Fixtures.transitions(count: 4)
        let evaluation = Fixtures.evaluation(at: steps[3].event.time, phase: steps[3].state.phase)

        let store = try SQLiteRolloutStore(path: directory.databasePath)
        var lastSequence: Int64 = 0
        for step in steps {
            lastSequence = try #require(
                try await store.commit(
                    .init(rolloutID: "checkout", state: step.state, event: step.event, evaluation: evaluation)))
        }
        let eventsBefore = try await store.events(of: "checkout", since: nil, afterSequence: nil, limit: 100)
        try await store.close()

        let reopened = try SQLiteRolloutStore(path: directory.databasePath)
        let resumed = try #require(try await reopened.state(of: "checkout")).state
        #expect(resumed == steps[3].state)
        #expect(try await reopened.events(of: "checkout", since: nil, afterSequence: nil, limit: 100) == eventsBefore)
        #expect(
            try await reopened.evaluations(of: "checkout", since: nil, limit: 100)
                == Array(repeating: evaluation, count: 4))

        // The ramp picks up where it was and the audit log goes on numbering.
        var ramp = RampController<WallClock.Instant>(policy: RampPolicy(), state: resumed)
        let next = try ramp.apply(.rollback, now: steps[3].event.time.advanced(by: .seconds(30)))
        let sequence = try #require(
            try await reopened.commit(.init(rolloutID: "checkout", state: ramp.state, event: next)))
        #expect(sequence > lastSequence)
        #expect(next.from == steps[3].state.phase && next.fromPercent == steps[3].state.percent)
        try await reopened.close()
    }

    @Test func storedColumnsMatchTheJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let steps = try Fixtures.transitions(count: 12)  // up the ladder to promoted, rolled back, resumed
        let store = try SQLiteRolloutStore(path: directory.databasePath)
        for (index, step) in steps.enumerated() {
            let evaluation = Fixtures.evaluation(
                at: step.event.time, phase: step.state.phase, percent: step.state.percent,
                rollbackEngaged: index.isMultiple(of: 2),
                verdict: Fixtures.verdict(index.isMultiple(of: 3) ? .unhealthy : .healthy),
                decision: "transition \(step.event.reason.kind.rawValue)")
            try await store.commit(.init(rolloutID: "r", state: step.state, event: step.event, evaluation: evaluation))
        }
        try await store.close()

        let database = try DatabaseQueue(path: directory.databasePath, configuration: readOnly)
        try await database.read { db in
            let state = try #require(try Row.fetchOne(db, sql: "SELECT * FROM rollout_state WHERE rollout_id = 'r'"))
            let decoded = try JSONDecoder().decode(
                RampState<WallClock.Instant>.self, from: Data((state["json"] as String).utf8))
            #expect(decoded == steps[11].state)
            #expect(state["phase"] == decoded.phase.rawValue)
            #expect(state["percent"] == decoded.percent)
            #expect(state["step"] == decoded.step)
            #expect(state["step_started_at"] == decoded.stepStartedAt?.unixSeconds)
            #expect(state["consecutive_failures"] == decoded.consecutiveFailures)
            #expect(state["resume_phase"] == decoded.resumePhase?.rawValue)
            #expect(state["updated_at"] == steps[11].event.time.unixSeconds)

            let events = try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY sequence")
            #expect(events.count == steps.count)
            for row in events {
                let event = try JSONDecoder().decode(
                    RampEvent<WallClock.Instant>.self, from: Data((row["json"] as String).utf8))
                #expect(row["rollout_id"] == "r")
                #expect(row["time"] == event.time.unixSeconds)
                #expect(row["from_phase"] == event.from.rawValue)
                #expect(row["to_phase"] == event.to.rawValue)
                #expect(row["from_percent"] == event.fromPercent)
                #expect(row["to_percent"] == event.toPercent)
                #expect(row["reason_kind"] == event.reason.kind.rawValue)
                #expect(row["message"] == event.reason.message)
            }
            #expect(
                Set(try String.fetchAll(db, sql: "SELECT DISTINCT to_phase FROM events")).isSuperset(of: [
                    "ramping", "promoted", "rolledBack",
                ]))

            let evaluations = try Row.fetchAll(db, sql: "SELECT * FROM evaluations ORDER BY id")
            #expect(evaluations.count == steps.count)
            for row in evaluations {
                let record = try JSONDecoder().decode(EvaluationRecord.self, from: Data((row["json"] as String).utf8))
                #expect(row["time"] == record.time.unixSeconds)
                #expect(row["phase"] == record.phase.rawValue)
                #expect(row["percent"] == record.percent)
                #expect(row["rollback_engaged"] == record.rollbackEngaged)
                #expect(row["verdict"] == record.verdict.kind.rawValue)
                #expect(row["score"] == record.verdict.score)
                #expect(row["decision"] == record.decision)
                #expect(record.relay.requests == 40 && record.legacy.requests == 200)
            }
            #expect(
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
                    == ["evaluations_rollout_time", "events_rollout_time", "events_rollout_version"])
        }
        try database.close()
    }

    @Test func aFailedCommitLeavesNeitherStateNorEvent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let steps = try Fixtures.transitions(count: 2)
        let store = try SQLiteRolloutStore(path: directory.databasePath)
        try await store.commit(.init(rolloutID: "r", state: steps[0].state, event: steps[0].event))

        // Another connection makes the evaluation's insert fail, after the state and event rows are written.
        let saboteur = try DatabaseQueue(path: directory.databasePath)
        try await saboteur.write { db in
            try db.execute(
                sql: "CREATE TRIGGER refuse BEFORE INSERT ON evaluations BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        let error = await #expect(throws: RolloutStoreError.self) {
            try await store.commit(
                .init(
                    rolloutID: "r", state: steps[1].state, event: steps[1].event,
                    evaluation: Fixtures.evaluation(at: steps[1].event.time)))
        }
        #expect(error?.operation == "commit")
        #expect(error?.reason.contains("refused") == true)
        #expect(error?.reason.contains(directory.databasePath) == true)
        #expect(error?.reason.contains("INSERT") == false)  // no SQL in the message

        #expect(try await store.state(of: "r")?.state == steps[0].state)
        #expect(
            try await store.events(of: "r", since: nil, afterSequence: nil, limit: 10).map(\.event) == [steps[0].event])
        try saboteur.close()
        try await store.close()
    }

    @Test func walModeAndFullSynchronousAreInForce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for _ in 0..<2 {  // a new file, then the same file reopened
            let store = try SQLiteRolloutStore(path: directory.databasePath)
            let settings = try await store.connectionSettings()
            #expect(settings.journalMode == "wal")
            #expect(settings.synchronous == 2)  // FULL
            #expect(settings.busyTimeout == 5000)
            #expect(FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))
            try await store.close()
        }
        // WAL is a property of the file: any connection sees it.
        let database = try DatabaseQueue(path: directory.databasePath, configuration: readOnly)
        #expect(try await database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        try database.close()
    }

    @Test func closeCheckpointsTheWALIntoTheDatabaseFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let steps = try Fixtures.transitions(count: 20)
        let store = try SQLiteRolloutStore(path: directory.databasePath)
        for step in steps {
            try await store.commit(.init(rolloutID: "r", state: step.state, event: step.event))
        }
        try await store.close()
        let walPath = directory.databasePath + "-wal"
        let walSize = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
        #expect(walSize == 0)  // truncated or removed: everything is in the main file
    }

    @Test func notADatabaseFileIsRejectedNamingThePath() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = Data(String(repeating: "this is an operator's notes file, not a database\n", count: 200).utf8)
        try garbage.write(to: URL(fileURLWithPath: directory.databasePath))

        let error = #expect(throws: RolloutStoreError.self) { try SQLiteRolloutStore(path: directory.databasePath) }
        #expect(error?.operation == "open")
        #expect(error?.reason.contains(directory.databasePath) == true)
        #expect(error?.reason.contains("not a database") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)) == garbage)  // left untouched
    }

    @Test func missingDirectoryIsRejectedNamingThePath() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("no-such-folder/state.sqlite").path
        let error = #expect(throws: RolloutStoreError.self) { try SQLiteRolloutStore(path: path) }
        #expect(error?.operation == "open")
        #expect(error?.reason.contains(path) == true)
    }

    private var readOnly: GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        return configuration
    }
}
