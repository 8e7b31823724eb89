/// Replays a policy against a scenario in virtual time, driving the real split, window, scorer and ramp.
///
/// Nothing here is a model of the components: requests are routed by the
/// real ``TrafficSplit``, recorded in a real ``HealthWindow`` on a
/// ``ManualClock``, judged by the real ``HealthScorer`` and acted on by the
/// real ``RampController``. Only the upstreams are simulated: each request's
/// outcome and latency are drawn from the scenario's behaviour for its path
/// with a seeded generator, so a run is the same on every machine.
///
/// A relay failure of a failover class is answered by legacy, as the router
/// does: the window records the relay failure and the legacy call, and only a
/// failure on both (or a non-failover failure) is visible to the client.
///
/// ```swift
/// let report = Simulation(policy: policy, scenario: scenario, seed: 7).run()
/// print(report.finalPhase, report.finalPercent)
/// ```
public struct Simulation: Sendable {
    /// The policy under test.
    public var policy: RolloutPolicy
    /// The traffic and faults.
    public var scenario: Scenario
    /// The random seed.
    public var seed: UInt64
    /// Stop at the first promotion or rollback instead of running the whole scenario
    /// (for studies that only ask which came first).
    public var stopWhenSettled: Bool

    /// Creates a simulation.
    public init(policy: RolloutPolicy, scenario: Scenario, seed: UInt64 = 1, stopWhenSettled: Bool = false) {
        self.policy = policy
        self.scenario = scenario
        self.seed = seed
        self.stopWhenSettled = stopWhenSettled
    }

    /// Runs the whole scenario and returns what happened.
    public func run() -> SimulationReport {
        var rng = SeededGenerator(seed: seed)
        let clock = ManualClock()
        let window = HealthWindow(configuration: policy.window, clock: clock)
        let scorer = HealthScorer(configuration: policy.health)
        let split = TrafficSplit(rolloutID: policy.rolloutID)
        let rollbackSwitch = RollbackSwitch()
        var ramp = RampController<ManualClock.Instant>(policy: policy.ramp)
        var shadow = ShadowTally<ManualClock.Instant>()
        var report = SimulationReport(
            scenario: scenario.name, rolloutID: policy.rolloutID, seed: seed, duration: inSeconds(scenario.duration))

        var traffic = scenario.traffic
        var legacy = scenario.legacy
        var relay = scenario.relay
        let keys = (0..<traffic.users).map { "user-\($0)" }
        let start = clock.now
        func offset() -> Double { inSeconds(start.duration(to: clock.now)) }

        if let event = try? ramp.apply(.start, now: clock.now, reason: "simulation start") {
            report.append(event: event, at: offset())
        }

        var pendingEvents = scenario.events[...]
        var nextEvaluation = policy.ramp.evaluationInterval
        var nextArrival = Self.interarrival(rate: traffic.requestsPerSecond, using: &rng)
        let end = scenario.duration

        while true {
            let nextEventAt = pendingEvents.first?.at ?? .seconds(Int64.max / 4)
            let next = min(nextArrival, nextEvaluation, nextEventAt)
            if next > end { break }
            clock.advance(to: start.advanced(by: next))

            if next == nextEventAt, let event = pendingEvents.popFirst() {
                if let rate = event.requestsPerSecond {
                    traffic.requestsPerSecond = rate
                    nextArrival = next + Self.interarrival(rate: rate, using: &rng)
                }
                if let share = event.keyedShare { traffic.keyedShare = share }
                legacy = event.legacy.applied(to: legacy)
                relay = event.relay.applied(to: relay)
                if let engaged = event.rollbackSwitch {
                    rollbackSwitch.set(
                        .override, engaged: engaged, reason: "scenario event at \(DurationText.format(next))")
                }
                report.append(note: event.note ?? "scenario change", at: offset())
                continue
            }

            if next == nextEvaluation {
                nextEvaluation += policy.ramp.evaluationInterval
                let verdict = scorer.evaluate(window.snapshot())
                let inStep = ramp.state.stepStartedAt.map { window.judgedCount(of: .relay, since: $0) } ?? 0
                let decision: RampDecision<ManualClock.Instant>
                if ramp.state.phase == .shadowing, let settings = policy.shadow {
                    let shadowVerdict = shadow.verdict(policy: settings, health: policy.health, now: clock.now)
                    decision = ramp.evaluateShadow(
                        now: clock.now, verdict: shadowVerdict, frozen: rollbackSwitch.isEngaged)
                } else {
                    decision = ramp.evaluate(
                        now: clock.now, verdict: verdict, relaySamplesInStep: inStep, frozen: rollbackSwitch.isEngaged)
                }
                report.append(decision: decision, verdict: verdict, state: ramp.state, at: offset())
                if stopWhenSettled, ramp.state.phase == .promoted || ramp.state.phase == .rolledBack { break }
                continue
            }

            // An arrival.
            nextArrival = next + Self.interarrival(rate: traffic.requestsPerSecond, using: &rng)
            let percent = rollbackSwitch.isEngaged ? 0 : ramp.state.effectivePercent
            let key: String? =
                Double.random(in: 0..<1, using: &rng) < traffic.keyedShare
                ? keys[Int.random(in: 0..<keys.count, using: &rng)] : nil
            let path = split.path(forKey: key, percent: percent, using: &rng)
            // A model is drawn only when the scenario names models, so that a scenario without
            // them draws the same numbers, and gives the same run, as before models existed.
            let model = Self.model(from: (path == .relay ? relay : legacy).mix ?? traffic.models, using: &rng)
            let outcome = Self.draw((path == .relay ? relay : legacy).behaviour(for: model), model: model, using: &rng)
            window.record(outcome, on: path)
            report.count(outcome, on: path)
            // The shadow phase: a sample of legacy's answered calls is also sent to the relay and compared.
            if path == .legacy, ramp.state.phase == .shadowing, !rollbackSwitch.isEngaged, let settings = policy.shadow,
                case .success = outcome.status, Double.random(in: 0..<1, using: &rng) < settings.sampleRate,
                shadow.mayShadow(policy: settings, now: clock.now)
            {
                let shadowed = Self.draw(relay.behaviour(for: model), model: model, using: &rng)
                let differs = Double.random(in: 0..<1, using: &rng) < relay.disagreement
                let legacyAnswer = ShadowAnswer(
                    status: 200, succeeded: true, latency: outcome.latency, cost: outcome.cost, finishReason: "stop",
                    text: "the answer")
                let relayAnswer: ShadowAnswer
                if case .failure(let failureClass) = shadowed.status {
                    relayAnswer = ShadowAnswer(
                        status: 503, succeeded: false, failure: failureClass, latency: shadowed.latency)
                } else {
                    relayAnswer = ShadowAnswer(
                        status: 200, succeeded: true, latency: shadowed.latency, cost: shadowed.cost,
                        finishReason: "stop",
                        text: differs ? "another reply entirely" : "the answer")
                }
                let comparison = ShadowComparison(
                    legacy: legacyAnswer, relay: relayAnswer, similarityThreshold: settings.textSimilarity)
                shadow.add(
                    legacy: legacyAnswer, relay: relayAnswer, comparison: comparison, requestID: nil, keepTexts: false,
                    now: clock.now)
            }
            if path == .relay, case .failure(let failureClass) = outcome.status {
                if failureClass.isFailover {
                    let fallback = Self.draw(legacy.behaviour(for: model), model: model, using: &rng)
                    window.record(fallback, on: .legacy)
                    report.count(fallback, on: .legacy)
                    report.fallbacks += 1
                    if case .failure = fallback.status { report.clientVisibleFailures += 1 }
                } else {
                    report.clientVisibleFailures += 1
                }
            } else if case .failure(let failureClass) = outcome.status, failureClass.countsAgainstPath {
                report.clientVisibleFailures += 1
            }
        }
        report.finish(state: ramp.state)
        return report
    }

    static func interarrival(rate: Double, using rng: inout SeededGenerator) -> Duration {
        guard rate > 0 else { return .seconds(Int64.max / 4) }
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        return .microseconds(Int64((-log(u) / rate * 1_000_000).rounded(.up)))
    }

    /// A model drawn from a mix by weight, or `nil` for an empty mix (without drawing).
    static func model(from mix: [Scenario.ModelShare], using rng: inout SeededGenerator) -> String? {
        guard let last = mix.last else { return nil }
        let total = mix.reduce(0) { $0 + $1.weight }
        var pick = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &rng)
        for share in mix {
            if pick < share.weight { return share.model }
            pick -= share.weight
        }
        return last.model
    }

    static func draw(_ behaviour: Scenario.PathBehaviour, model: String? = nil, using rng: inout SeededGenerator)
        -> CallOutcome
    {
        let latency = logNormal(p50: behaviour.p50, p95: behaviour.p95, using: &rng)
        if Double.random(in: 0..<1, using: &rng) < behaviour.successRate {
            return CallOutcome(.success, latency: latency, inputTokens: 500, outputTokens: 250, model: model)
        }
        let total = behaviour.failureMix.values.reduce(0, +)
        var pick = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &rng)
        var failureClass = FailureClass.serverError
        for candidate in FailureClass.allCases {
            guard let weight = behaviour.failureMix[candidate], weight > 0 else { continue }
            failureClass = candidate
            if pick < weight { break }
            pick -= weight
        }
        return CallOutcome(.failure(failureClass), latency: latency, model: model)
    }

    static func logNormal(p50: Duration, p95: Duration, using rng: inout SeededGenerator) -> Duration {
        let median = max(inSeconds(p50), 1e-6)
        let sigma = max(0, log(max(inSeconds(p95), median) / median) / 1.6448536269514722)
        // Box–Muller.
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        let u2 = Double.random(in: 0..<1, using: &rng)
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return .microseconds(Int64((median * exp(sigma * normal) * 1_000_000).rounded()))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
