import Canary
import Foundation
import Shepherd
import ShepherdPostgres
import Testing

/// What only the shared store does: its URL, the lease's fencing, the replicas' health buckets.
struct PostgresRolloutStoreTests {
    @Test func aURLCarryingAPasswordIsRefusedWithoutRepeatingIt() {
        let error = #expect(throws: PostgresStoreConfigurationError.self) {
            try PostgresStoreConfiguration(url: "postgres://shepherd:hunter2-secret@db:5432/shepherd", password: nil)
        }
        #expect(error?.description.contains("SHEPHERD_POSTGRES_PASSWORD") == true)
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func theConfigurationNeverPrintsThePassword() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://shepherd@db.internal:6543/rollouts?schema=canary", password: "hunter2-secret")
        #expect(configuration.host == "db.internal" && configuration.port == 6543)
        #expect(configuration.database == "rollouts" && configuration.schema == "canary")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [configuration.description, dumped, "\(configuration)"] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(throws: PostgresStoreConfigurationError.self) {
            try PostgresStoreConfiguration(url: "postgres://shepherd@db/x?schema=a;drop", password: nil)
        }
    }

    @Test(.enabled(if: TestPostgres.enabled))
    func aHolderDeposedWhileAwayHasItsRenewalAndItsCommitRefused() async throws {
        let store = try TestPostgres.store()
        let ttl = Duration.milliseconds(300)
        let first = try await store.acquireLease(rolloutID: "r", holder: "a", epoch: nil, ttl: ttl)
        #expect(first.fence == LeaseFence(holder: "a", epoch: 1))
        // b cannot take a live lease (one that lasts a minute, so a loaded machine cannot race it)…
        _ = try await store.acquireLease(rolloutID: "live", holder: "a", epoch: nil, ttl: .seconds(60))
        #expect(
            try await store.acquireLease(rolloutID: "live", holder: "b", epoch: nil, ttl: .seconds(60)).fence.holder
                == "a")
        // …and takes a's 300 ms lease once it lapsed on the database's clock, polling it.
        var taken = try await store.acquireLease(rolloutID: "r", holder: "b", epoch: nil, ttl: .seconds(30))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while taken.fence.holder != "b", ContinuousClock.now < deadline {
            taken = try await store.acquireLease(rolloutID: "r", holder: "b", epoch: nil, ttl: .seconds(30))
        }
        #expect(taken.fence == LeaseFence(holder: "b", epoch: 2))
        // a wakes up: its renewal with epoch 1 does not renew, and its evaluation commit is fenced.
        let renewal = try await store.acquireLease(rolloutID: "r", holder: "a", epoch: 1, ttl: ttl)
        #expect(renewal.fence == LeaseFence(holder: "b", epoch: 2))
        let steps = try Fixtures.transitions(count: 1)
        let evaluation = Fixtures.evaluation(at: steps[0].event.time)
        let fenced = try await store.commit(
            RolloutChange(
                rolloutID: "r", state: steps[0].state, event: steps[0].event, evaluation: evaluation, fence: first.fence
            ),
            expectedVersion: 0)
        #expect(fenced == .fenced(first.fence))
        #expect(try await store.state(of: "r") == nil)
        // b's fenced evaluation lands, and stamps the lease's last evaluation.
        let landed = try await store.commit(
            RolloutChange(
                rolloutID: "r", state: steps[0].state, event: steps[0].event, evaluation: evaluation, fence: taken.fence
            ),
            expectedVersion: 0)
        #expect(
            landed
                == .committed(
                    version: 1,
                    sequence: try await store.events(of: "r", since: nil, afterSequence: nil, limit: 1).first?.sequence)
        )
        #expect(try await store.lease(of: "r")?.lastEvaluationAt != nil)
        try await store.close()
    }

    @Test(.enabled(if: TestPostgres.enabled))
    func publishingABucketAgainReplacesItAndEveryReplicaCounts() async throws {
        let store = try TestPostgres.store()
        let clock = ManualClock()
        let window = HealthWindow(configuration: .init(bucketCount: 10, bucketWidth: .seconds(1)), clock: clock)
        for _ in 0..<3 { window.record(CallOutcome(.success, latency: .milliseconds(100)), on: .relay) }
        let offset = Int64(1_800_000_000)
        try await store.publishHealth(rolloutID: "r", replica: "a", buckets: window.buckets(numberedFrom: offset))
        window.record(CallOutcome(.failure(.serverError), latency: .milliseconds(5)), on: .relay)
        // The same bucket, grown: replaced, not added.
        try await store.publishHealth(rolloutID: "r", replica: "a", buckets: window.buckets(numberedFrom: offset))
        try await store.publishHealth(rolloutID: "r", replica: "b", buckets: window.buckets(numberedFrom: offset))
        let buckets = try await store.health(rolloutID: "r", since: WallClock.Instant(unixSeconds: 1_799_999_999))
        #expect(buckets.count == 2)
        let fleet = HealthSnapshot(summing: buckets)
        #expect(fleet.relay.successes == 6 && fleet.relay.failures[.serverError] == 2)
        #expect(fleet.relay.latency.totalCount == 6)
        try await store.close()
    }
}
