import Canary
import Foundation
import Shepherd
import ShepherdTesting
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `kill -9` of a process in the middle of committing: nothing it was told is committed may be lost.
struct SQLiteRolloutStoreCrashTests {
    /// Runs `StoreCrashProbe` (which commits transitions back to back and prints each acknowledged
    /// sequence), kills it with SIGKILL after `linesPerRun` acknowledgements, and checks the file;
    /// three times on the same file, so each run also resumes from the state the last crash left.
    @Test func killNineBetweenEvaluationsLosesNoCommittedTransition() async throws {
        let probe = try #require(
            ProductBinary.url(named: "StoreCrashProbe"),
            "StoreCrashProbe not found next to the test binary (swift test builds it)")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let linesPerRun = 150
        var acknowledged: [(sequence: Int64, time: Double)] = []

        for _ in 0..<3 {
            let run = try await Self.runAndKill(probe, arguments: [directory.databasePath], afterLines: linesPerRun)
            #expect(run.killedBySIGKILL, "the probe ended on its own: \(run.stderr)")
            let lines = try run.lines.map { line in
                let parts = line.split(separator: " ")
                return (sequence: try #require(Int64(parts[0])), time: try #require(Double(parts[1])))
            }
            #expect(lines.count >= linesPerRun)
            acknowledged += lines

            let store = try SQLiteRolloutStore(path: directory.databasePath)
            let stored = try await store.events(of: "crash-probe", since: nil, afterSequence: nil, limit: 100_000)
            let storedTimes = Dictionary(uniqueKeysWithValues: stored.map { ($0.sequence, $0.event.time.unixSeconds) })
            // Every acknowledged transition is there, with its own time.
            for line in acknowledged {
                #expect(storedTimes[line.sequence] == line.time, "acknowledged sequence \(line.sequence) lost")
            }
            // The state is the last acknowledged one or a later one, and it is the state of the last stored event:
            // state and event were committed together.
            let last = try #require(stored.last)
            #expect(last.sequence >= acknowledged.last!.sequence)
            #expect(last.sequence <= acknowledged.last!.sequence + 1)  // at most the one in flight at the kill
            let state = try #require(try await store.state(of: "crash-probe")).state
            #expect(state.phase == last.event.to)
            #expect(state.percent == last.event.toPercent)
            #expect(state.stepStartedAt == last.event.time)
            #expect(
                try await store.evaluations(of: "crash-probe", since: nil, limit: 100_000).last?.time == last.event.time
            )
            try await store.close()
        }
        #expect(acknowledged.count >= 3 * linesPerRun)
        #expect(Set(acknowledged.map(\.sequence)).count == acknowledged.count)
    }

    struct ProbeRun: Sendable {
        var lines: [String]
        var killedBySIGKILL: Bool
        var stderr: String
    }

    /// Starts the probe, reads its stdout until `afterLines` complete lines arrived, sends SIGKILL
    /// and reaps it. Waits on the pipe, never on the clock; a watchdog kills a probe that is still
    /// running after two minutes, so a broken probe fails the test instead of hanging it.
    static func runAndKill(_ executable: URL, arguments: [String], afterLines: Int) async throws -> ProbeRun {
        let outcome = try await ProcessRunner.runUntil(executable.path, arguments) { $0.count >= afterLines }
        // Lines written before the kill and still in the pipe were acknowledged too.
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        return ProbeRun(lines: lines, killedBySIGKILL: outcome.status == 128 + SIGKILL, stderr: outcome.stderr)
    }
}
