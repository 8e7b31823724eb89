import Canary
import Foundation
import ShepherdPostgres
import Testing

@testable import Shepherd

/// Compare-and-set on the version, on every store: what lets several replicas share one rollout.
struct VersionedStoreTests {
    @Test(arguments: StoreKind.available)
    func versionsStartAtOneAndAStaleVersionIsAConflictThatWritesNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 3)
            let first = try await Fixtures.commitFirst(of: steps, to: store, rolloutID: "r")
            guard case .committed(1, let firstSequence?) = first else {
                Issue.record("first commit: \(first)")
                return
            }
            let second = try await store.commit(
                RolloutChange(rolloutID: "r", state: steps[1].state, event: steps[1].event), expectedVersion: 1)
            guard case .committed(2, let secondSequence?) = second else {
                Issue.record("second commit: \(second)")
                return
            }
            #expect(secondSequence > firstSequence)
            // A writer that decided on version 1 loses, and nothing of its change is stored.
            let stale = try await store.commit(
                RolloutChange(rolloutID: "r", state: steps[2].state, event: steps[2].event), expectedVersion: 1)
            #expect(stale == .conflict(storedVersion: 2))
            let stored = try #require(try await store.state(of: "r"))
            #expect(stored.version == 2)
            #expect(stored.state == steps[1].state)
            let events = try await store.events(of: "r", since: nil, afterSequence: nil, limit: 10)
            #expect(events.map(\.version) == [1, 2])
            #expect(events.map(\.event) == [steps[0].event, steps[1].event])
        }
    }

    @Test(arguments: StoreKind.available)
    func anEvaluationThatChangesNothingKeepsTheVersion(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 1)
            _ = try await Fixtures.commitFirst(of: steps, to: store, rolloutID: "r")
            let evaluation = Fixtures.evaluation(at: steps[0].event.time)
            let held = try await store.commit(
                RolloutChange(rolloutID: "r", state: steps[0].state, evaluation: evaluation), expectedVersion: 1)
            #expect(held == .committed(version: 1, sequence: nil))
            #expect(try await store.evaluations(of: "r", since: nil, limit: 10) == [evaluation])
            // The shared rollback switch is part of the state: engaging it is a new version.
            let override = RollbackOverride(reason: "incident 42", engagedAt: steps[0].event.time, replica: "a")
            let engaged = try await store.commit(
                RolloutChange(rolloutID: "r", state: steps[0].state, rollbackOverride: override), expectedVersion: 1)
            #expect(engaged == .committed(version: 2, sequence: nil))
            #expect(try await store.state(of: "r")?.rollbackOverride == override)
        }
    }

    @Test(arguments: StoreKind.available)
    func fiftyWritersAtTheSameVersionExactlyOneWins(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 2)
            _ = try await Fixtures.commitFirst(of: steps, to: store, rolloutID: "race")
            let outcomes = try await withThrowingTaskGroup(of: CommitOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await store.commit(
                            RolloutChange(rolloutID: "race", state: steps[1].state, event: steps[1].event),
                            expectedVersion: 1)
                    }
                }
                return try await group.reduce(into: [CommitOutcome]()) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .committed = $0 { true } else { false } }
            #expect(winners.count == 1)
            #expect(outcomes.filter { $0 == .conflict(storedVersion: 2) }.count == 49)
            #expect(try await store.events(of: "race", since: nil, afterSequence: nil, limit: 100).count == 2)
            #expect(try await store.state(of: "race")?.version == 2)
        }
    }
}
