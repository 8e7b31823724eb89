import Canary
import Foundation
import Logging
import ShepherdPostgres
import ShepherdTesting
import Synchronization
import Testing

@testable import Shepherd

/// The controller alone, without a router: the ramp's life over a health window fed by hand.
struct RolloutControllerTests {
    /// The router tests' policy (a 60 s hold, 100 samples) under a rollout id of its own.
    static let policy: RolloutPolicy = {
        var policy = RouterHarness.policy
        policy.rolloutID = "controller-test"
        return policy
    }()

    static let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)

    static func controller(
        store: any RolloutStore, clock: ManualClock, policy: RolloutPolicy = policy, fleet: FleetConfiguration = .init()
    ) async throws -> RolloutController<ManualClock> {
        try await RolloutController(
            configuration: .init(policy: policy, fleet: fleet), store: store,
            rollbackSwitch: RollbackSwitch(environment: [:]),
            clock: clock, wallNow: { epoch.advanced(by: clock.now.offset) })
    }

    /// Records `count` successful calls on each path at the clock's now.
    static func healthyTraffic(_ window: HealthWindow<ManualClock>, count: Int = 200) {
        for _ in 0..<count {
            window.record(CallOutcome(.success, latency: .milliseconds(80)), on: .legacy)
            window.record(CallOutcome(.success, latency: .milliseconds(90)), on: .relay)
        }
    }

    @Test func stepsTheRampOnAHealthyWindowAndStoresEachStepAsAVersion() async throws {
        let store = InMemoryRolloutStore()
        let clock = ManualClock()
        let controller = try await Self.controller(store: store, clock: clock)
        #expect(controller.state.percent == 5)
        #expect(controller.version == 1)
        #expect(controller.effectivePercent == 5)

        clock.advance(by: .seconds(61))
        Self.healthyTraffic(controller.window)
        let decision = try await controller.evaluate()
        #expect(decision.event?.to == .ramping)
        #expect(controller.state.percent == 7.5)
        #expect(controller.effectivePercent == 7.5, "the request path reads the new percent from memory")
        let stored = try #require(try await store.state(of: "controller-test"))
        #expect(stored.version == 2)
        #expect(stored.state == controller.state)
        #expect(
            try await store.events(of: "controller-test", since: nil, afterSequence: nil, limit: 10).map(\.version) == [
                1, 2,
            ])
    }

    @Test func aDecisionOnAStaleVersionIsRefusedAndTheControllerFollowsTheStore() async throws {
        let store = InMemoryRolloutStore()
        let clock = ManualClock()
        let a = try await Self.controller(store: store, clock: clock)
        let b = try await Self.controller(store: store, clock: clock)
        #expect(b.version == 1, "b resumed what a started")

        try await a.apply(.pause, reason: "a pauses")
        clock.advance(by: .seconds(61))
        Self.healthyTraffic(b.window)
        await #expect(throws: RolloutStoreError.self) { try await b.evaluate() }
        #expect(b.state.phase == .paused, "the loser adopted what won, it did not overwrite it")
        #expect(b.version == 2)
        let events = try await store.events(of: "controller-test", since: nil, afterSequence: nil, limit: 10)
        #expect(events.map(\.event.to) == [.ramping, .paused], "no step was committed on top of the pause")
    }

    @Test func twoControllersCommandsAreAppliedOneAfterTheOther() async throws {
        let store = InMemoryRolloutStore()
        let clock = ManualClock()
        let a = try await Self.controller(store: store, clock: clock)
        let b = try await Self.controller(store: store, clock: clock)
        try await a.apply(.setPercent(30), reason: "a sets 30")
        // b still holds version 1: its commit conflicts, it reloads and applies the pause to 30%.
        try await b.apply(.pause, reason: "b pauses")
        let stored = try #require(try await store.state(of: "controller-test"))
        #expect(stored.state.phase == .paused)
        #expect(stored.state.percent == 30)
        #expect(stored.version == 3)
        let events = try await store.events(of: "controller-test", since: nil, afterSequence: nil, limit: 10)
        #expect(events.map(\.version) == [1, 2, 3])
    }

    @Test func theRollbackSwitchFreezesTheRampAndZeroesThePercentButKeepsTheStoredState() async throws {
        let store = InMemoryRolloutStore()
        let clock = ManualClock()
        let controller = try await Self.controller(store: store, clock: clock)
        controller.rollbackSwitch.set(.override, engaged: true, reason: "test")
        #expect(controller.effectivePercent == 0)
        clock.advance(by: .seconds(61))
        Self.healthyTraffic(controller.window)
        let decision = try await controller.evaluate()
        #expect(decision.event == nil, "frozen: no step while the switch is engaged")
        #expect(controller.state.percent == 5)
    }

    @Test func aSwitchEngagedBeforeTheStartIsLoggedAtTheStart() async throws {
        let lines = Lines()
        let logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        let clock = ManualClock()
        _ = try await RolloutController(
            configuration: .init(policy: Self.policy), store: InMemoryRolloutStore(),
            rollbackSwitch: RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": "1"]), clock: clock, logger: logger)
        let said = lines.all.withLock { $0 }
        #expect(said.contains { $0.hasPrefix("critical rollback switch engaged at start (environment)") }, "\(said)")
    }

    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    /// Keeps each log line as `level message`.
    struct CapturingHandler: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            lines.all.withLock { $0.append("\(level) \(message)") }
        }
    }

    // MARK: Several controllers on one PostgreSQL database

    static func fleet(_ id: String) -> FleetConfiguration {
        FleetConfiguration(replicaID: id, leaseDuration: .seconds(60))
    }

    @Test(.enabled(if: TestPostgres.enabled))
    func onlyTheLeaseHolderEvaluatesAndAtMostOncePerInterval() async throws {
        let store = try TestPostgres.store()
        try await closing(store.close) {
            var policy = Self.policy
            policy.ramp.evaluationInterval = .seconds(3600)
            let clock = ManualClock()
            let a = try await Self.controller(store: store, clock: clock, policy: policy, fleet: Self.fleet("a"))
            let b = try await Self.controller(store: store, clock: clock, policy: policy, fleet: Self.fleet("b"))
            #expect(a.effectivePercent == 0, "a shared replica serves 0% until its first sync")

            var loopA = RolloutController<ManualClock>.FleetLoop()
            var loopB = RolloutController<ManualClock>.FleetLoop()
            await a.tick(store, loop: &loopA)  // starts the rollout, takes the lease, evaluates once
            await b.tick(store, loop: &loopB)  // follows; the lease is a's
            await a.tick(store, loop: &loopA)  // holds the lease; the interval has not passed
            await b.tick(store, loop: &loopB)

            #expect(a.status().fleet?.isEvaluator == true)
            #expect(b.status().fleet?.isEvaluator == false)
            #expect(a.effectivePercent == 5)
            #expect(b.effectivePercent == 5, "b follows the stored state")
            #expect(b.version == a.version)
            let evaluations = try await store.evaluations(of: policy.rolloutID, since: nil, limit: 10)
            #expect(evaluations.count == 1, "one evaluation per interval across both replicas")
            let lease = try #require(try await store.lease(of: policy.rolloutID))
            #expect(lease.fence.holder == "a")
        }
    }

    @Test(.enabled(if: TestPostgres.enabled))
    func theEvaluatorJudgesTheSumOfEveryReplicasHealth() async throws {
        let store = try TestPostgres.store()
        try await closing(store.close) {
            var policy = Self.policy
            policy.ramp.minHoldTime = .zero
            policy.ramp.minSamplesPerStep = 200
            policy.health.minSamples = 200
            let clock = ManualClock()
            let a = try await Self.controller(store: store, clock: clock, policy: policy, fleet: Self.fleet("a"))
            let b = try await Self.controller(store: store, clock: clock, policy: policy, fleet: Self.fleet("b"))
            var loopA = RolloutController<ManualClock>.FleetLoop()
            var loopB = RolloutController<ManualClock>.FleetLoop()
            await a.tick(store, loop: &loopA)
            await b.tick(store, loop: &loopB)
            #expect(a.state.percent == 5)
            // Each replica alone is below minSamples (200) on both paths; together they are above it.
            Self.healthyTraffic(a.window, count: 150)
            Self.healthyTraffic(b.window, count: 150)
            clock.advance(by: .seconds(2))  // the publish interval
            await b.tick(store, loop: &loopB)
            await a.tick(store, loop: &loopA)
            #expect(a.state.percent == 5, "the evaluation interval has not passed on the database's clock")
            let lease = try #require(try await store.lease(of: policy.rolloutID))
            #expect(lease.fence.holder == "a")
            let decision = try await a.evaluateFleet(store, lease: lease)
            #expect(decision.event != nil, "the summed window is enough to step: \(decision)")
            let last = try #require(try await store.evaluations(of: policy.rolloutID, since: nil, limit: 1).last)
            #expect(last.relay.requests == 300, "the evaluator counted b's calls too")
            #expect(a.state.percent == 7.5)
            await b.tick(store, loop: &loopB)
            #expect(b.state.percent == 7.5, "b follows the new version")
        }
    }
}
