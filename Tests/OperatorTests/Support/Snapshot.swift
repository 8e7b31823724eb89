import Foundation
import Testing

/// Text snapshots checked in under `Tests/OperatorTests/Snapshots/`, compared exactly.
///
/// `SHEPHERD_RECORD_SNAPSHOTS=1 swift test --filter OperatorTests` rewrites them; review the
/// diff before committing. A missing snapshot is recorded and the test fails, so that a new one
/// is always looked at once.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Snapshots")

    static var recording: Bool {
        ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["SHEPHERD_RECORD_SNAPSHOTS"] ?? "")
    }

    static func check(_ lines: [String], named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = lines.joined(separator: "\n") + "\n"
        let file = directory.appendingPathComponent(name + ".txt")
        let existing = try? String(contentsOf: file, encoding: .utf8)
        if recording || existing == nil {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            do {
                try text.write(to: file, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("could not write the snapshot \(file.path): \(error)", sourceLocation: sourceLocation)
            }
            if existing == nil, !recording {
                Issue.record(
                    "no snapshot \(name).txt: recorded it now; check it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        guard let existing, existing != text else { return }
        let old = existing.components(separatedBy: "\n")
        let new = text.components(separatedBy: "\n")
        let row = Array(zip(old, new)).firstIndex { $0.0 != $0.1 } ?? min(old.count, new.count)
        let was = row < old.count ? old[row] : "(nothing)"
        let now = row < new.count ? new[row] : "(nothing)"
        Issue.record(
            """
            snapshot \(name).txt differs at line \(row + 1) (SHEPHERD_RECORD_SNAPSHOTS=1 rewrites it):
              snapshot: \(was)
              rendered: \(now)
            """, sourceLocation: sourceLocation)
    }
}
