import Foundation
import Shepherd
import ShepherdPostgres
import ShepherdTesting
import Testing

@testable import Canary

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A database path inside the directory.
    var databasePath: String { url.appendingPathComponent("state.sqlite").path }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The three implementations, for tests that hold for all of them.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case inMemory
    case postgres

    var testDescription: String { rawValue }

    /// A new store; a PostgreSQL one runs until it is closed, on the test server (``TestPostgres``).
    func make(at path: String, retention: RolloutRetention = .init()) throws -> any RolloutStore {
        switch self {
        case .sqlite: return try SQLiteRolloutStore(path: path, configuration: .init(retention: retention))
        case .inMemory: return InMemoryRolloutStore(retention: retention)
        case .postgres: return try TestPostgres.store(retention: retention)
        }
    }

    /// Runs `body` with a new store in a temporary directory; the store is closed and the
    /// directory removed when it returns or throws.
    func withStore<R>(
        retention: RolloutRetention = .init(), _ body: (any RolloutStore) async throws -> R
    ) async throws -> R {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try make(at: directory.databasePath, retention: retention)
        return try await closing(store.close) { try await body(store) }
    }
}

/// Test values built by driving the real ramp, since `RampEvent` has no public initialiser.
enum Fixtures {
    static let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)

    /// `count` transitions one second apart from `start`: start, promote up the ladder,
    /// roll back, resume, promote, … Each element is the state after the event.
    static func transitions(
        count: Int, from start: WallClock.Instant = epoch, step: Duration = .seconds(1)
    ) throws -> [(state: RampState<WallClock.Instant>, event: RampEvent<WallClock.Instant>)] {
        var ramp = RampController<WallClock.Instant>(policy: RampPolicy())
        var time = start
        var result: [(RampState<WallClock.Instant>, RampEvent<WallClock.Instant>)] = []
        for _ in 0..<count {
            let event = try ramp.stepOn(now: time, reason: "fixture")
            result.append((ramp.state, event))
            time = time.advanced(by: step)
        }
        return result
    }

    /// Commits the first of `steps` to an empty rollout (expected version 0).
    static func commitFirst(
        of steps: [(state: RampState<WallClock.Instant>, event: RampEvent<WallClock.Instant>)],
        to store: any RolloutStore, rolloutID: String
    ) async throws -> CommitOutcome {
        try await store.commit(
            RolloutChange(rolloutID: rolloutID, state: steps[0].state, event: steps[0].event), expectedVersion: 0)
    }

    /// A verdict with a structured reason and one check.
    static func verdict(_ kind: HealthVerdict.Kind = .healthy, score: Double = 0.87) -> HealthVerdict {
        HealthVerdict(
            kind: kind, score: score,
            reason: HealthReason(
                code: kind == .healthy ? .healthy : .successRateBelowBaseline,
                samples: .init(legacy: 1200, relay: 130, legacySuccessRate: 0.99, relaySuccessRate: 0.985),
                confidence: 0.95,
                checks: [
                    CheckResult(
                        check: .successVsBaseline, outcome: kind == .healthy ? .pass : .fail,
                        relayValue: 0.985, baselineValue: 0.99, threshold: -0.02, bound: -0.012,
                        detail: "relay 98.5% vs legacy 99%")
                ]))
    }

    /// Both paths' summaries from a real health window with some traffic.
    static func summaries() -> (legacy: PathSummary, relay: PathSummary) {
        let window = HealthWindow(clock: ManualClock())
        for i in 0..<200 {
            window.record(
                CallOutcome(
                    i % 50 == 0 ? .failure(.serverError) : .success, latency: .milliseconds(300 + i),
                    timeToFirstToken: .milliseconds(80 + i / 4), inputTokens: 120, outputTokens: 40, cost: 0.0004),
                on: .legacy)
        }
        for i in 0..<40 {
            window.record(
                CallOutcome(
                    .success, latency: .milliseconds(350 + 2 * i), inputTokens: 100, outputTokens: 30, cost: 0.0002),
                on: .relay)
        }
        let snapshot = window.snapshot()
        return (PathSummary(snapshot.legacy), PathSummary(snapshot.relay))
    }

    static func evaluation(
        at time: WallClock.Instant, phase: RampPhase = .ramping, percent: Double = 5, rollbackEngaged: Bool = false,
        verdict: HealthVerdict = Fixtures.verdict(), decision: String = "hold insufficientData"
    ) -> EvaluationRecord {
        let (legacy, relay) = summaries()
        return EvaluationRecord(
            time: time, phase: phase, percent: percent, rollbackEngaged: rollbackEngaged, verdict: verdict,
            decision: decision, legacy: legacy, relay: relay)
    }
}

/// The PostgreSQL server of the tests: `SHEPHERD_TEST_POSTGRES_URL` and
/// `SHEPHERD_TEST_POSTGRES_PASSWORD`, as `.ci/postgres.sh start` prints them.
///
/// Without the URL the PostgreSQL cases are left out locally, and fail in CI (`CI` set): there
/// they must have run.
enum TestPostgres {
    static var url: String? { ProcessInfo.processInfo.environment["SHEPHERD_TEST_POSTGRES_URL"] }
    static var password: String? { ProcessInfo.processInfo.environment["SHEPHERD_TEST_POSTGRES_PASSWORD"] }
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }
    static var enabled: Bool { url != nil || required }

    /// The configuration of a new, empty schema of its own, so tests never see each other's rows.
    static func configuration() throws -> PostgresStoreConfiguration {
        guard let url else {
            throw RolloutStoreError(
                operation: "test setup",
                reason:
                    "CI is set but SHEPHERD_TEST_POSTGRES_URL is not: .ci/run must start PostgreSQL (.ci/postgres.sh)")
        }
        var configuration = try PostgresStoreConfiguration(url: url, password: password)
        configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // The suite keeps both cores busy: a generous bound, still a bound (the store never hangs).
        configuration.operationTimeout = .seconds(30)
        configuration.connectTimeout = .seconds(30)
        return configuration
    }

    /// A store on a schema of its own, running until it is closed.
    static func store(retention: RolloutRetention = .init(), configuration: PostgresStoreConfiguration? = nil) throws
        -> PostgresRolloutStore
    {
        let store = PostgresRolloutStore(configuration: try configuration ?? self.configuration(), retention: retention)
        // A test's store runs beside the test; close() ends it.
        Task { try await store.run() }
        return store
    }
}

extension StoreKind {
    /// The kinds this run can test: PostgreSQL only with a server (always in CI).
    static var available: [StoreKind] { allCases.filter { $0 != .postgres || TestPostgres.enabled } }
}
