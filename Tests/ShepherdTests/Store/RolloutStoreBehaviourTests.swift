import Canary
import Foundation
import Shepherd
import Testing

/// What every ``RolloutStore`` must do, run against the SQLite file and the in-memory store alike.
struct RolloutStoreBehaviourTests {
    @Test(arguments: StoreKind.available)
    func commitStoresStateEventAndEvaluationAtomically(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 3)
            let evaluation = Fixtures.evaluation(at: steps[2].event.time, phase: steps[2].state.phase)

            #expect(try await store.state(of: "checkout") == nil)
            let first = try await store.commit(
                .init(rolloutID: "checkout", state: steps[0].state, event: steps[0].event))
            let second = try await store.commit(
                .init(rolloutID: "checkout", state: steps[1].state, event: steps[1].event, evaluation: evaluation))
            // An evaluation that held: state and evaluation, no event, no sequence.
            let held = try await store.commit(
                .init(rolloutID: "checkout", state: steps[1].state, evaluation: evaluation))

            let firstSequence = try #require(first)
            let secondSequence = try #require(second)
            #expect(secondSequence > firstSequence)
            #expect(held == nil)
            #expect(try await store.state(of: "checkout")?.state == steps[1].state)
            #expect(
                try await store.events(of: "checkout", since: nil, afterSequence: nil, limit: 10) == [
                    StoredEvent(sequence: firstSequence, version: 1, rolloutID: "checkout", event: steps[0].event),
                    StoredEvent(sequence: secondSequence, version: 2, rolloutID: "checkout", event: steps[1].event),
                ])
            #expect(try await store.evaluations(of: "checkout", since: nil, limit: 10) == [evaluation, evaluation])
            #expect(try await store.state(of: "other") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func eventsAreReturnedOldestFirstWithSinceAfterSequenceAndLimit(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 10)
            let others = try Fixtures.transitions(count: 5, from: Fixtures.epoch.advanced(by: .milliseconds(500)))
            var sequences: [Int64] = []
            for (index, step) in steps.enumerated() {
                let sequence = try await store.commit(
                    .init(
                        rolloutID: "a", state: step.state, event: step.event,
                        evaluation: Fixtures.evaluation(at: step.event.time, percent: step.state.percent)))
                sequences.append(try #require(sequence))
                if index < others.count {  // another rollout interleaved: its events take sequence numbers too
                    try await store.commit(
                        .init(rolloutID: "b", state: others[index].state, event: others[index].event))
                }
            }
            let all = steps.enumerated().map {
                StoredEvent(
                    sequence: sequences[$0.offset], version: Int64($0.offset + 1), rolloutID: "a",
                    event: $0.element.event)
            }

            #expect(try await store.events(of: "a", since: nil, afterSequence: nil, limit: 100) == all)
            #expect(try await store.events(of: "a", since: nil, afterSequence: nil, limit: 3) == Array(all.suffix(3)))
            let sixth = steps[5].event.time
            #expect(try await store.events(of: "a", since: sixth, afterSequence: nil, limit: 100) == Array(all[5...]))
            #expect(
                try await store.events(of: "a", since: nil, afterSequence: sequences[7], limit: 100) == Array(all[8...])
            )
            #expect(
                try await store.events(of: "a", since: sixth, afterSequence: sequences[6], limit: 2) == Array(all[8...])
            )
            #expect(
                try await store.events(of: "a", since: sixth, afterSequence: sequences[3], limit: 2) == Array(all[8...])
            )
            #expect(try await store.events(of: "a", since: nil, afterSequence: nil, limit: 0).isEmpty)
            #expect(try await store.events(of: "a", since: nil, afterSequence: sequences[9], limit: 10).isEmpty)
            #expect(
                try await store.events(of: "b", since: nil, afterSequence: nil, limit: 100).map(\.event)
                    == others.map(\.event))
            #expect(try await store.events(of: "nobody", since: nil, afterSequence: nil, limit: 100).isEmpty)

            let evaluations = try await store.evaluations(of: "a", since: sixth, limit: 3)
            #expect(evaluations.map(\.time) == steps[7...].map(\.event.time))
            #expect(evaluations.map(\.percent) == steps[7...].map(\.state.percent))
            #expect(try await store.evaluations(of: "a", since: nil, limit: 100).count == 10)
            #expect(try await store.evaluations(of: "b", since: nil, limit: 100).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func evaluationsArePrunedToTheRetentionLimitButEventsNeverAre(kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try kind.make(
            at: directory.databasePath, retention: RolloutRetention(maxEvaluationsPerRollout: 10, pruneInterval: 5))
        let steps = try Fixtures.transitions(count: 25)
        for step in steps {
            try await store.commit(
                .init(
                    rolloutID: "a", state: step.state, event: step.event,
                    evaluation: Fixtures.evaluation(at: step.event.time)))
        }
        for step in steps.prefix(3) {
            try await store.commit(
                .init(rolloutID: "b", state: step.state, evaluation: Fixtures.evaluation(at: step.event.time)))
        }

        // Pruned on commits 1, 6, 11, 16 and 21 of "a" down to 10; commits 22…25 add 4.
        let kept = try await store.evaluations(of: "a", since: nil, limit: 1000)
        #expect(kept.map(\.time) == steps[11...].map(\.event.time))
        #expect(try await store.evaluations(of: "b", since: nil, limit: 1000).count == 3)
        // The audit log keeps every transition.
        #expect(
            try await store.events(of: "a", since: nil, afterSequence: nil, limit: 1000).map(\.event)
                == steps.map(\.event))
        try await store.close()

        let strictDirectory = try TemporaryDirectory()
        defer { strictDirectory.remove() }
        let strict = try kind.make(
            at: strictDirectory.databasePath, retention: RolloutRetention(maxEvaluationsPerRollout: 4, pruneInterval: 1)
        )
        for step in steps {
            try await strict.commit(
                .init(rolloutID: "a", state: step.state, evaluation: Fixtures.evaluation(at: step.event.time)))
        }
        #expect(
            try await strict.evaluations(of: "a", since: nil, limit: 1000).map(\.time)
                == steps.suffix(4).map(\.event.time))
        try await strict.close()
    }

    @Test(arguments: StoreKind.available)
    func closedStoreRefusesWritesWithAClearError(kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try kind.make(at: directory.databasePath)
        let steps = try Fixtures.transitions(count: 2)
        try await store.commit(.init(rolloutID: "a", state: steps[0].state, event: steps[0].event))
        #expect(await store.isHealthy())

        try await store.close()

        #expect(await store.isHealthy() == false)
        let error = await #expect(throws: RolloutStoreError.self) {
            try await store.commit(
                .init(rolloutID: "a", state: steps[1].state, event: steps[1].event), expectedVersion: 1)
        }
        #expect(error?.operation == "commit")
        #expect(error?.reason.contains("closed") == true)
        #expect(error?.description.hasPrefix("rollout store: commit failed: ") == true)
        if kind == .sqlite {
            #expect(error?.reason.contains(directory.databasePath) == true)
        }
        await #expect(throws: RolloutStoreError.self) { try await store.state(of: "a") }
        await #expect(throws: RolloutStoreError.self) {
            try await store.events(of: "a", since: nil, afterSequence: nil, limit: 10)
        }
        await #expect(throws: RolloutStoreError.self) { try await store.evaluations(of: "a", since: nil, limit: 10) }
        try await store.close()  // closing twice is harmless
    }

    @Test(arguments: StoreKind.available)
    func concurrentCommitsFromManyTasksAllLand(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let steps = try Fixtures.transitions(count: 50)
            let evaluation = Fixtures.evaluation(at: Fixtures.epoch)

            let returned = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for task in 0..<8 {
                    group.addTask {
                        let rolloutID = "rollout-\(task)"
                        var sequences: [Int64] = []
                        for (index, step) in steps.enumerated() {
                            let change = RolloutChange(
                                rolloutID: rolloutID, state: step.state, event: step.event,
                                evaluation: index.isMultiple(of: 5) ? evaluation : nil)
                            sequences.append(try #require(try await store.commit(change)))
                        }
                        return (rolloutID, sequences)
                    }
                }
                return try await group.reduce(into: [String: [Int64]]()) { $0[$1.0] = $1.1 }
            }

            let allSequences = returned.values.flatMap { $0 }
            #expect(allSequences.count == 400)
            #expect(Set(allSequences).count == 400)
            #expect(Set(allSequences) == Set(1...400))
            for (rolloutID, sequences) in returned {
                #expect(sequences == sequences.sorted())
                let stored = try await store.events(of: rolloutID, since: nil, afterSequence: nil, limit: 1000)
                #expect(stored.map(\.sequence) == sequences)
                #expect(stored.map(\.event) == steps.map(\.event))
                #expect(try await store.state(of: rolloutID)?.state == steps[49].state)
                #expect(try await store.evaluations(of: rolloutID, since: nil, limit: 1000).count == 10)
            }
        }
    }
}
