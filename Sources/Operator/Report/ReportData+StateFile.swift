public import Canary
import Foundation
import Shepherd

extension ReportData {
    /// Reads a rollout from a SQLite state file (what `shepherd serve` writes), never creating one.
    ///
    /// The file is checked before it is opened: it must exist, be a readable regular file and
    /// start with SQLite's header, so a wrong path is reported as such instead of becoming a new,
    /// empty store. ``SQLiteRolloutStore`` has no read-only mode, so an existing file is opened the
    /// way the server opens it: its `-wal` and `-shm` companions may appear beside it and stay, as
    /// they do after `shepherd serve`; nothing is written to the rollout's tables.
    ///
    /// - Parameters:
    ///   - path: the state file.
    ///   - rolloutID: the rollout; `nil` takes the only rollout in the store.
    ///   - generatedAt: the report's generation time.
    ///   - limits: how much history to read.
    /// - Throws: ``ReportError`` naming the file: missing, unreadable, not a database, no rollout,
    ///   several rollouts (listing them) or an unknown rollout (listing the ones there are).
    public static func load(
        storeAt path: String, rolloutID: String?, generatedAt: WallClock.Instant, limits: Limits = .init()
    ) async throws(ReportError) -> ReportData {
        try checkStateFile(path)
        let store: SQLiteRolloutStore
        do {
            store = try SQLiteRolloutStore(path: path)
        } catch {
            throw ReportError(code: .storeFailed, path: path, message: "cannot open state file \(path): \(error)")
        }
        do throws(ReportError) {
            let data = try await read(store, path: path, rolloutID: rolloutID, generatedAt: generatedAt, limits: limits)
            try? await store.close()
            return data
        } catch {
            try? await store.close()
            throw error
        }
    }

    private static func read(
        _ store: SQLiteRolloutStore, path: String, rolloutID requested: String?, generatedAt: WallClock.Instant,
        limits: Limits
    ) async throws(ReportError) -> ReportData {
        do {
            let available = try await store.rolloutIDs()
            let rolloutID = try chooseRollout(requested, among: available, path: path)
            return try await load(
                from: store, rolloutID: rolloutID, source: path, generatedAt: generatedAt, limits: limits)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(code: .storeFailed, path: path, message: "cannot read state file \(path): \(error)")
        }
    }

    /// The rollout to report on: the one asked for, or the only one there is.
    ///
    /// - Throws: ``ReportError`` with the rollouts the store holds when the choice is not clear.
    public static func chooseRollout(
        _ requested: String?, among available: [String], path: String
    ) throws(ReportError) -> String {
        let list = available.joined(separator: ", ")
        if let requested {
            guard available.contains(requested) else {
                let holds = available.isEmpty ? "holds no rollout at all" : "holds only: \(list)"
                throw ReportError(
                    code: .unknownRollout, path: path,
                    message: "state file \(path) has no rollout \(requested); it \(holds)")
            }
            return requested
        }
        switch available.count {
        case 0:
            throw ReportError(
                code: .noRollout, path: path,
                message: "state file \(path) holds no rollout yet (shepherd serve stores one when it starts)")
        case 1:
            return available[0]
        default:
            throw ReportError(
                code: .ambiguousRollout, path: path,
                message: "state file \(path) holds \(available.count) rollouts (\(list)); pass --rollout ID")
        }
    }

    /// Checks that `path` is an existing, readable SQLite file, without creating anything.
    static func checkStateFile(_ path: String) throws(ReportError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError(
                code: .storeMissing, path: path,
                message: "state file \(path) does not exist; pass --state FILE (the state: key of shepherd.yaml)")
        }
        guard !isDirectory.boolValue else {
            throw ReportError(
                code: .storeUnreadable, path: path, message: "state file \(path) is a directory, not a SQLite file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReportError(
                code: .storeUnreadable, path: path, message: "state file \(path) cannot be read (check its permissions)"
            )
        }
        defer { try? handle.close() }
        let header: Data
        do {
            header = try handle.read(upToCount: 16) ?? Data()
        } catch {
            throw ReportError(
                code: .storeUnreadable, path: path,
                message: "state file \(path) cannot be read: \(error.localizedDescription)")
        }
        guard !header.isEmpty else {
            throw ReportError(
                code: .storeUnreadable, path: path,
                message: "state file \(path) is empty: no rollout was ever stored there")
        }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw ReportError(
                code: .notAStore, path: path, message: "state file \(path) is not a SQLite database")
        }
    }
}
