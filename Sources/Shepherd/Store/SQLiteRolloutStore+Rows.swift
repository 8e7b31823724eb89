public import Canary
internal import GRDB
import Synchronization

// MARK: - Row values

/// A change reduced to plain column values and JSON, made before the write lock is taken.
struct EncodedChange: Sendable {
    struct State: Sendable {
        var phase: String
        var percent: Double
        var step: Int
        var stepStartedAt: Double?
        var consecutiveFailures: Int
        var resumePhase: String?
        var updatedAt: Double
        var json: String
    }

    struct Event: Sendable {
        var time: Double
        var fromPhase: String
        var toPhase: String
        var fromPercent: Double
        var toPercent: Double
        var reasonKind: String
        var message: String
        var json: String
    }

    struct Evaluation: Sendable {
        var time: Double
        var phase: String
        var percent: Double
        var rollbackEngaged: Bool
        var verdict: String
        var score: Double
        var decision: String
        var json: String
    }

    var rolloutID: String
    var state: State
    var override: String?
    var event: Event?
    var evaluation: Evaluation?

    init(_ change: RolloutChange) throws {
        rolloutID = change.rolloutID
        let s = change.state
        // The decision's own time when it has one, so replays store the same rows.
        let updatedAt = change.event?.time ?? change.evaluation?.time ?? WallClock().now
        state = State(
            phase: s.phase.rawValue, percent: s.percent, step: s.step, stepStartedAt: s.stepStartedAt?.unixSeconds,
            consecutiveFailures: s.consecutiveFailures, resumePhase: s.resumePhase?.rawValue,
            updatedAt: updatedAt.unixSeconds, json: try StoreCoding.encode(s))
        override = try change.rollbackOverride.map { try StoreCoding.encode($0) }
        event = try change.event.map { e in
            Event(
                time: e.time.unixSeconds, fromPhase: e.from.rawValue, toPhase: e.to.rawValue,
                fromPercent: e.fromPercent, toPercent: e.toPercent, reasonKind: e.reason.kind.rawValue,
                message: e.reason.message, json: try StoreCoding.encode(e))
        }
        evaluation = try change.evaluation.map { r in
            Evaluation(
                time: r.time.unixSeconds, phase: r.phase.rawValue, percent: r.percent,
                rollbackEngaged: r.rollbackEngaged, verdict: r.verdict.kind.rawValue, score: r.verdict.score,
                decision: r.decision, json: try StoreCoding.encode(r))
        }
    }

    func stateArguments(version: Int64) -> StatementArguments {
        [
            rolloutID, state.phase, state.percent, state.step, state.stepStartedAt, state.consecutiveFailures,
            state.resumePhase, state.updatedAt, state.json, override, version,
        ]
    }

    func eventArguments(version: Int64) -> StatementArguments? {
        event.map { e in
            [
                rolloutID, e.time, e.fromPhase, e.toPhase, e.fromPercent, e.toPercent, e.reasonKind, e.message, e.json,
                version,
            ]
        }
    }

    var evaluationArguments: StatementArguments? {
        evaluation.map { r in
            [rolloutID, r.time, r.phase, r.percent, r.rollbackEngaged, r.verdict, r.score, r.decision, r.json]
        }
    }
}

/// The filters of a history query as bound values.
struct QueryBounds: Sendable {
    var rolloutID: String
    var since: WallClock.Instant?
    var afterSequence: Int64?
    var limit: Int

    /// Without `since`, every time matches (the lowest finite REAL).
    private var earliest: Double { since?.unixSeconds ?? -Double.greatestFiniteMagnitude }

    var eventArguments: StatementArguments { [rolloutID, earliest, afterSequence ?? Int64.min, limit] }
    var evaluationArguments: StatementArguments { [rolloutID, earliest, limit] }
}

struct RawEvent: Sendable {
    var sequence: Int64
    var version: Int64?
    var json: String
}

struct StoredRow: Sendable {
    var version: Int64
    var json: String
    var override: String?
}
