import Foundation
import Operator

@testable import Canary
@testable import Shepherd

/// Dashboard models for the snapshot tests: real health windows scored by the real scorer,
/// assembled into statuses the way the server encodes them (decoded from JSON, since the status
/// types are made by the server, not by hand).
enum StatusFixtures {
    static let server = "http://127.0.0.1:8080"
    /// 2027-01-15T08:00:00Z.
    static let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)
    static let policy = RolloutPolicy(rolloutID: "checkout-to-relay")
    static var ladder: [Double] { policy.ramp.ladder }

    // MARK: Traffic

    /// One path's traffic over the window.
    struct Traffic {
        var successes: Int
        var failures: [FailureClass: Int] = [:]
        /// The typical latency; calls spread from 1× to 2.9× of it.
        var latency: Duration = .milliseconds(400)
        var streamedShare = 0.5
        var costPerCall = 0.0012
        /// Models by weight: call `i` asks for the model its index falls on (none: calls name no model).
        var models: [(name: String, weight: Int)] = []
        /// The model every failure asks for (`nil`: spread like the successes).
        var failingModel: String?

        func model(_ index: Int) -> String? {
            let total = models.reduce(0) { $0 + $1.weight }
            guard total > 0 else { return nil }
            var pick = index % total
            for (name, weight) in models {
                if pick < weight { return name }
                pick -= weight
            }
            return nil
        }
    }

    static func snapshot(legacy: Traffic, relay: Traffic) -> HealthSnapshot {
        let clock = ManualClock()
        let window = HealthWindow(configuration: policy.window, clock: clock)
        for (path, traffic) in [(TrafficPath.legacy, legacy), (.relay, relay)] {
            for i in 0..<traffic.successes {
                let latency = traffic.latency * (1 + Double(i % 20) / 10)
                let streamed = Double(i % 100) < traffic.streamedShare * 100
                window.record(
                    CallOutcome(
                        .success, latency: latency, timeToFirstToken: streamed ? latency / 4 : nil, inputTokens: 220,
                        outputTokens: 310, cost: traffic.costPerCall, model: traffic.model(i)),
                    on: path)
            }
            for (failure, count) in traffic.failures.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                for i in 0..<count {
                    window.record(
                        CallOutcome(
                            .failure(failure), latency: .seconds(2), model: traffic.failingModel ?? traffic.model(i)),
                        on: path)
                }
            }
        }
        return window.snapshot()
    }

    // MARK: Status

    /// The shape `/admin/status` has on the wire.
    struct StatusWire: Encodable {
        var rolloutID: String
        var state: RampState<WallClock.Instant>
        var effectivePercent: Double
        var ladder: [Double]
        var rollbackEngaged: Bool
        var rollbackSources: [String: String]
        var rollbackError: String?
        var recentDecisions: [RampDecision<WallClock.Instant>]
        var verdict: HealthVerdict
        var legacy: PathSummary
        var relay: PathSummary
        var now: WallClock.Instant
        var nextStep: NextStepProgress?
        var policy: PolicyDigest
        var breakers: [String: String]
        var fleet: FleetView?
        var version: Int64?
        var problems: [String: String]?
        var shadow: ShadowVerdict?
        var bake: BakeProgress?
    }

    struct EventWire: Encodable {
        var time: WallClock.Instant
        var from: RampPhase
        var to: RampPhase
        var fromPercent: Double
        var toPercent: Double
        var reason: TransitionReason
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: some Encodable) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(value))
        } catch {
            fatalError("fixture does not decode as \(T.self): \(error)")
        }
    }

    static func event(
        at seconds: Double, _ from: RampPhase, _ fromPercent: Double, _ to: RampPhase, _ toPercent: Double,
        _ kind: TransitionReason.Kind, _ message: String, sequence: Int64
    ) -> StoredEvent {
        let wire = EventWire(
            time: epoch.advanced(by: .milliseconds(Int64(seconds * 1000))), from: from, to: to,
            fromPercent: fromPercent, toPercent: toPercent, reason: TransitionReason(kind: kind, message: message))
        return StoredEvent(
            sequence: sequence, rolloutID: policy.rolloutID,
            event: decode(RampEvent<WallClock.Instant>.self, from: wire))
    }

    /// One evaluation of the history: the percent after it, the phase, the relay's rate and p95.
    struct Point {
        var percent: Double
        var phase: RampPhase
        var relayRate: Double
        var relayP95: Double

        init(_ percent: Double, _ phase: RampPhase, _ relayRate: Double, _ relayP95: Double) {
            self.percent = percent
            self.phase = phase
            self.relayRate = relayRate
            self.relayP95 = relayP95
        }
    }

    struct Scene {
        var phase: RampPhase
        var step: Int
        /// Seconds since the epoch at which the status was taken.
        var now: Double
        var stepStartedAt: Double?
        var legacy: Traffic
        var relay: Traffic
        var rollbackSources: [String: String] = [:]
        var relaySamplesInStep = 0
        var breakers = ["legacy/*": "closed", "relay/*": "closed"]
        var events: [StoredEvent] = []
        /// Percent and relay success-rate shift per evaluation, oldest first.
        var history: [Point] = []
        var message: String?
        var messageIsError = false
        var prompt: String?
        /// On a shared store: the fleet as this replica sees it, and the stored version.
        var fleet: FleetView?
        var version: Int64?
        /// Configuration problems by path (TLS, DNS, credentials).
        var problems: [String: String]?
        var shadow: ShadowVerdict?
        var bake: BakeProgress?
    }

    static func model(_ scene: Scene) -> DashboardModel {
        let health = snapshot(legacy: scene.legacy, relay: scene.relay)
        let verdict = HealthScorer(configuration: policy.health).evaluate(health)
        let percent: Double =
            switch scene.phase {
            case .idle, .rolledBack, .shadowing: 0
            case .baking: 99
            default: ladder[scene.step]
            }
        let now = epoch.advanced(by: .milliseconds(Int64(scene.now * 1000)))
        let stepStart = scene.stepStartedAt.map { epoch.advanced(by: .milliseconds(Int64($0 * 1000))) }
        let state = RampState<WallClock.Instant>(
            phase: scene.phase, percent: percent, step: scene.step, stepStartedAt: stepStart,
            resumePhase: scene.phase == .paused ? .ramping : nil)
        let engaged = !scene.rollbackSources.isEmpty
        var nextStep: NextStepProgress?
        if scene.phase == .ramping, scene.step + 1 < ladder.count, let started = scene.stepStartedAt {
            nextStep = NextStepProgress(
                nextPercent: ladder[scene.step + 1], relaySamplesInStep: scene.relaySamplesInStep,
                samplesNeeded: policy.ramp.minSamplesPerStep, heldSeconds: scene.now - started,
                minHoldSeconds: inSeconds(policy.ramp.minHoldTime), nextEvaluationInSeconds: 12)
        }
        let wire = StatusWire(
            rolloutID: policy.rolloutID, state: state, effectivePercent: engaged ? 0 : state.effectivePercent,
            ladder: ladder, rollbackEngaged: engaged, rollbackSources: scene.rollbackSources, rollbackError: nil,
            recentDecisions: [], verdict: verdict, legacy: PathSummary(health.legacy), relay: PathSummary(health.relay),
            now: now, nextStep: nextStep, policy: PolicyDigest(policy), breakers: scene.breakers,
            fleet: scene.fleet, version: scene.version, problems: scene.problems, shadow: scene.shadow, bake: scene.bake
        )
        let status = decode(RolloutStatus.self, from: wire)
        let count = scene.history.count
        let history = scene.history.enumerated().map { index, point in
            var relay = PathSummary(health.relay)
            relay.successRate = point.relayRate
            relay.p95 = point.relayP95
            return EvaluationRecord(
                time: now.advanced(by: .seconds(-30 * (count - index))), phase: point.phase, percent: point.percent,
                rollbackEngaged: false, verdict: verdict, decision: "hold:holdingStep",
                legacy: PathSummary(health.legacy),
                relay: relay)
        }
        return DashboardModel(
            server: server, status: status, history: history, events: scene.events, message: scene.message,
            messageIsError: scene.messageIsError, prompt: scene.prompt)
    }

    // MARK: The scenes

    static let started = event(
        at: 0, .idle, 0, .ramping, 5, .started, "started at 5%: first start of shepherd for this rollout", sequence: 1)

    /// Ramping at step 3 (11.25%), healthy, 80 s into a 2 m hold.
    static var rampingHealthy: DashboardModel {
        var history: [Point] = []
        for i in 0..<36 {
            let percent = i < 8 ? 5.0 : (i < 24 ? 7.5 : 11.25)
            history.append(Point(percent, .ramping, 0.985 + Double(i % 5) * 0.002, 0.6 + Double(i % 7) * 0.05))
        }
        return model(
            Scene(
                phase: .ramping, step: 2, now: 1_160, stepStartedAt: 1_080,
                legacy: Traffic(
                    successes: 1_188, failures: [.serverError: 7, .rateLimited: 5], latency: .milliseconds(380)),
                relay: Traffic(
                    successes: 228, failures: [.timeout: 2], latency: .milliseconds(420), costPerCall: 0.0009),
                relaySamplesInStep: 45,
                events: [
                    started,
                    event(
                        at: 240, .ramping, 5, .ramping, 7.5, .stepAdvanced,
                        "held 4m with 131 relay calls and a healthy verdict: 5% → 7.5%", sequence: 2),
                    event(
                        at: 1_080, .ramping, 7.5, .ramping, 11.25, .stepAdvanced,
                        "held 14m with 208 relay calls and a healthy verdict: 7.5% → 11.25%", sequence: 3),
                ],
                history: history))
    }

    /// Just started: too few calls on either side for a verdict.
    static var insufficientData: DashboardModel {
        model(
            Scene(
                phase: .ramping, step: 0, now: 20, stepStartedAt: 0,
                legacy: Traffic(successes: 40), relay: Traffic(successes: 3), relaySamplesInStep: 3,
                events: [started], history: [Point(5, .ramping, 1, 0.4)]))
    }

    /// Paused by an operator at 16.88%, with a message from the key that did it.
    static var paused: DashboardModel {
        model(
            Scene(
                phase: .paused, step: 3, now: 2_000, stepStartedAt: 1_700,
                legacy: Traffic(successes: 1_100, failures: [.serverError: 4]), relay: Traffic(successes: 310),
                events: [
                    started,
                    event(
                        at: 1_700, .ramping, 11.25, .ramping, 16.875, .stepAdvanced,
                        "held 10m with 150 relay calls and a healthy verdict: 11.25% → 16.88%", sequence: 4),
                    event(
                        at: 1_950, .ramping, 16.875, .paused, 16.875, .manualPause,
                        "paused at 16.88%: shepherd dashboard", sequence: 5),
                ],
                history: (0..<20).map { (i: Int) -> Point in
                    Point(i < 10 ? 11.25 : 16.875, i < 18 ? .ramping : .paused, 0.99, 0.5)
                },
                message: "pause: ramping 16.88% → paused 16.88% (manualPause): paused at 16.88%: shepherd dashboard"))
    }

    /// Rolled back after the relay failed, and the rollback switch engaged by the flag file.
    static var rolledBackBySwitch: DashboardModel {
        model(
            Scene(
                phase: .rolledBack, step: 0, now: 3_000, stepStartedAt: 2_900,
                legacy: Traffic(successes: 1_290, failures: [.serverError: 6]),
                relay: Traffic(
                    successes: 150, failures: [.serverError: 38, .connection: 9, .timeout: 3],
                    latency: .milliseconds(900)),
                rollbackSources: ["flagFile": "flag file /var/run/shepherd/rollback exists"],
                breakers: ["legacy/*": "closed", "relay/*": "open"],
                events: [
                    started,
                    event(
                        at: 2_400, .ramping, 11.25, .ramping, 16.875, .stepAdvanced,
                        "held 5m with 120 relay calls and a healthy verdict: 11.25% → 16.88%", sequence: 6),
                    event(
                        at: 2_900, .ramping, 16.875, .rolledBack, 0, .rolledBackOnFailure,
                        "relay unhealthy: successRateBelowBaseline: relay 75.0% vs legacy 99.5%", sequence: 7),
                ],
                history: (0..<30).map { (i: Int) -> Point in
                    let rate: Double = i < 22 ? 0.99 : 0.99 - Double(i - 21) * 0.04
                    return Point(i < 26 ? 16.875 : 0, i < 26 ? .ramping : .rolledBack, rate, i < 22 ? 0.5 : 2.5)
                },
                message: "resume: refused: cannot resume while the rollback switch is engaged: release it first",
                messageIsError: true))
    }

    /// At 100%: legacy has no traffic left, so there is no baseline and no verdict.
    static var promoted: DashboardModel {
        model(
            Scene(
                phase: .promoted, step: 8, now: 9_000, stepStartedAt: 8_400,
                legacy: Traffic(successes: 0), relay: Traffic(successes: 2_400, failures: [.rateLimited: 6]),
                // Tier calls: a breaker per relay model, one of them open after its rate limits.
                breakers: [
                    "legacy/*": "closed", "relay/*": "closed", "relay/gpt-4.1": "open",
                    "relay/claude-sonnet-4.5": "closed", "relay/gemini-2.5-flash": "closed",
                ],
                events: [
                    started,
                    event(
                        at: 7_200, .ramping, 56.953125, .ramping, 85.4296875, .stepAdvanced,
                        "held 10m with 900 relay calls and a healthy verdict: 56.95% → 85.43%", sequence: 11),
                    event(
                        at: 8_400, .ramping, 85.4296875, .promoted, 100, .promoted,
                        "held 20m with 1800 relay calls and a healthy verdict: 85.43% → 100%", sequence: 12),
                ],
                history: (0..<60).map { (i: Int) -> Point in
                    let percent: Double = min(100, 5 * pow(1.5, Double(i / 7)))
                    return Point(percent, i < 56 ? .ramping : .promoted, 0.995, 0.45)
                }))
    }

    /// Three replicas on a shared store: b evaluates, c is a version behind and its flag file
    /// is engaged (which freezes the whole fleet's ramp).
    static var fleet: DashboardModel {
        func at(_ seconds: Double) -> WallClock.Instant { epoch.advanced(by: .milliseconds(Int64(seconds * 1000))) }
        var view = FleetView()
        view.replicaID = "proxy-a-4021-9f1c"
        view.storeReachable = true
        view.synced = true
        view.lease = LeaseState(
            fence: LeaseFence(holder: "proxy-b-3310-07aa", epoch: 3), expiresAt: at(1_168), lastEvaluationAt: at(1_150),
            now: at(1_159))
        func replica(
            _ id: String, version: Int64, percent: Double, seen: Double, evaluator: Bool = false,
            local: [String: String] = [:]
        )
            -> ReplicaRecord
        {
            ReplicaRecord(
                report: ReplicaReport(
                    rolloutID: policy.rolloutID, replica: id, versionSeen: version, effectivePercent: percent,
                    localSwitchSources: local, isEvaluator: evaluator),
                lastHeartbeat: at(seen))
        }
        view.replicas = [
            replica("proxy-a-4021-9f1c", version: 7, percent: 11.25, seen: 1_159),
            replica("proxy-b-3310-07aa", version: 7, percent: 11.25, seen: 1_158, evaluator: true),
            replica(
                "proxy-c-5120-44d0", version: 6, percent: 0, seen: 1_141,
                local: ["flagFile": "flag file /var/run/shepherd/rollback exists"]),
        ]
        return model(
            Scene(
                phase: .ramping, step: 2, now: 1_160, stepStartedAt: 1_080,
                legacy: Traffic(successes: 3_560, failures: [.serverError: 12]),
                relay: Traffic(successes: 690, failures: [.timeout: 3]), relaySamplesInStep: 140,
                events: [started], fleet: view, version: 7))
    }

    /// Ramping at 7.5%: the relay fails gpt-4.1, a tenth of its calls, and serves the rest perfectly.
    static var modelFailing: DashboardModel {
        let mix: [(name: String, weight: Int)] = [
            ("gemini-2.5-flash", 4), ("deepseek-v3.2", 3), ("claude-sonnet-4.5", 2), ("gpt-4.1", 1),
        ]
        return model(
            Scene(
                phase: .ramping, step: 1, now: 400, stepStartedAt: 240,
                legacy: Traffic(successes: 2_400, failures: [.serverError: 10], models: mix),
                relay: Traffic(successes: 300, failures: [.serverError: 13], models: mix, failingModel: "gpt-4.1"),
                relaySamplesInStep: 190,
                events: [
                    started,
                    event(
                        at: 240, .ramping, 5, .ramping, 7.5, .stepAdvanced,
                        "held 4m with 131 relay calls and a healthy verdict: 5% → 7.5%", sequence: 2),
                ]))
    }

    /// Shadowing at 0%: 212 pairs compared, the text differs in most of them.
    static var shadowing: DashboardModel {
        let shadow = ShadowVerdict(
            passed: false,
            summary:
                "agreement 0.311 [0.254, 0.374] below 0.9; most pairs differ in text: 146 of 212, e.g. request 6b1f09c2",
            pairs: 212, agreeing: 66, agreementLower: 0.254, agreementUpper: 0.374,
            worst: [.init(check: .text, count: 146, exampleRequestID: "6b1f09c2", exampleTexts: nil)],
            spendLastHour: 0.42,
            pausedForSpend: false, health: nil)
        return model(
            Scene(
                phase: .shadowing, step: 0, now: 1_800, stepStartedAt: 0,
                legacy: Traffic(successes: 4_200, failures: [.serverError: 9]), relay: Traffic(successes: 0),
                events: [
                    event(
                        at: 0, .idle, 0, .shadowing, 0, .started,
                        "started in shadow: legacy answers every call, the relay is compared", sequence: 1)
                ], shadow: shadow))
    }

    /// Baking at 99% with 1% held back on legacy, 3 h into a 24 h bake.
    static var baking: DashboardModel {
        model(
            Scene(
                phase: .baking, step: 8, now: 20_000, stepStartedAt: 9_200,
                legacy: Traffic(successes: 120, failures: [:]),
                relay: Traffic(successes: 11_800, failures: [.serverError: 20]),
                events: [
                    started,
                    event(
                        at: 9_200, .ramping, 85.4296875, .baking, 99, .bakeStarted,
                        "held 2m with 140 relay calls and a healthy verdict: 85.43% → 99%, baking for 1d with 1% held back on legacy",
                        sequence: 9),
                ], bake: BakeProgress(holdback: 1, durationSeconds: 86_400, bakedSeconds: 10_800)))
    }

    static let scenes: [(name: String, model: DashboardModel)] = [
        ("ramping-healthy", rampingHealthy), ("insufficient-data", insufficientData), ("paused", paused),
        ("rolled-back-switch", rolledBackBySwitch), ("promoted", promoted), ("fleet", fleet),
        ("model-failing", modelFailing), ("shadowing", shadowing), ("baking", baking),
    ]
}
