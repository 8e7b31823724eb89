// A crash-test helper for `SQLiteRolloutStore`: commits transitions in a loop until killed.
//
//     StoreCrashProbe <database path> [rollout id]
//
// Each iteration drives a real `RampController` one transition further (start, promote
// up the ladder, roll back, resume, …) at a virtual time one second after the last, and
// commits the new state, the event and an evaluation record in one `commit`. Only after
// `commit` returns does it write `<sequence> <event time in Unix seconds>` to stdout, so
// every printed line is a transition the store has acknowledged. The crash test kills
// it with SIGKILL at an arbitrary point and checks that every printed line is in the file.
import Canary
import Foundation
import Shepherd
import ShepherdTesting

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: StoreCrashProbe <database path> [rollout id]\n".utf8))
    exit(64)
}
let rolloutID = arguments.count >= 3 ? arguments[2] : "crash-probe"

do {
    let store = try SQLiteRolloutStore(path: arguments[1])
    var ramp = RampController<WallClock.Instant>(
        policy: RampPolicy(), state: try await store.state(of: rolloutID)?.state)
    // Virtual time, carried on from a stored state so a rerun on the same file keeps time increasing.
    var time = max(WallClock.Instant(unixSeconds: 1_800_000_000), ramp.state.stepStartedAt ?? .init(sinceEpoch: .zero))
    let reason = HealthReason(
        code: .healthy, samples: .init(legacy: 1000, relay: 100, legacySuccessRate: 0.99, relaySuccessRate: 0.99),
        confidence: 0.95, checks: [])
    while true {
        time = time.advanced(by: .seconds(1))
        let event = try ramp.stepOn(now: time)
        let evaluation = EvaluationRecord(
            time: time, phase: ramp.state.phase, percent: ramp.state.percent, rollbackEngaged: false,
            verdict: HealthVerdict(kind: .healthy, score: 0.9, reason: reason), decision: "transition",
            legacy: PathSummary(PathSnapshot()), relay: PathSummary(PathSnapshot()))
        let sequence = try await store.commit(
            RolloutChange(rolloutID: rolloutID, state: ramp.state, event: event, evaluation: evaluation))
        // An unbuffered write(2): the line leaves the process before the next commit starts.
        FileHandle.standardOutput.write(Data("\(sequence ?? -1) \(time.unixSeconds)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("StoreCrashProbe: \(error)\n".utf8))
    exit(1)
}
