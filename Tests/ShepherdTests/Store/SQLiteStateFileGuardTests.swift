import Canary
import Foundation
import Testing

@testable import Shepherd

/// A state file is run by one process at a time, and a damaged one is refused at open.
struct SQLiteStateFileGuardTests {
    @Test func aSecondProcessOnTheSameFileIsRefusedWhileTheFirstRunsItsRollout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try SQLiteRolloutStore(path: directory.databasePath, configuration: .init(exclusive: true))
        // flock conflicts between two open descriptions of the file, in one process as in two.
        let error = #expect(throws: RolloutStoreError.self) {
            try SQLiteRolloutStore(path: directory.databasePath, configuration: .init(exclusive: true))
        }
        #expect(error?.operation == "open")
        #expect(error?.reason.contains("in use by another shepherd process (pid \(getpid()))") == true, "\(error!)")
        #expect(error?.reason.contains("postgres://") == true, "the refusal says how to run several replicas")
        // A reader (shepherd report) may still open it while the server runs.
        let reader = try SQLiteRolloutStore(path: directory.databasePath)
        try await reader.close()
        // Once the first closes, the file is free again.
        try await first.close()
        let second = try SQLiteRolloutStore(path: directory.databasePath, configuration: .init(exclusive: true))
        try await second.close()
    }

    @Test func aDamagedFileIsRefusedAtOpenNamingTheFileAndTheWayOut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteRolloutStore(path: directory.databasePath)
        let steps = try Fixtures.transitions(count: 60)
        for step in steps {
            try await store.commit(
                .init(
                    rolloutID: "checkout", state: step.state, event: step.event,
                    evaluation: Fixtures.evaluation(at: step.event.time, phase: step.state.phase)))
        }
        try await store.close()  // checkpoints the WAL into the file

        // Scribble over the b-tree page headers of the pages past the schema (the events' and
        // evaluations' tables), as a torn write or a bad disk would.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: directory.databasePath))
        let size = try handle.seekToEnd()
        let pageSize: UInt64 = 4096
        #expect(size > pageSize * 4)
        for page in 2..<(size / pageSize) {
            try handle.seek(toOffset: page * pageSize)
            handle.write(Data(repeating: 0xA5, count: 12))
        }
        try handle.close()

        let error = #expect(throws: RolloutStoreError.self) {
            try SQLiteRolloutStore(path: directory.databasePath)
        }
        #expect(error?.operation == "open")
        #expect(
            error?.reason.contains("\(directory.databasePath) is damaged") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(error?.reason.contains("restore it from a backup") == true)
    }
}
