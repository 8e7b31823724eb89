import Canary

/// The mock provider's decision engine: a plain struct that never sleeps.
///
/// Given the time since the scenario started and whether the request
/// streams, it draws the latency and the fault from its `SeededGenerator`.
/// It always draws the same number of random values per request, so that the
/// same seed and the same sequence of requests give the same decisions,
/// whatever the faults turn out to be.
///
/// ```swift
/// var upstream = MockUpstream(scenario: scenario, seed: 7)
/// let decision = upstream.decide(elapsed: .seconds(65), streaming: true)
/// ```
public struct MockUpstream: Sendable {
    /// The scenario in force.
    public private(set) var scenario: FaultScenario
    private var generator: SeededGenerator

    /// Creates an engine for a scenario and a seed.
    public init(scenario: FaultScenario, seed: UInt64) {
        self.scenario = scenario
        self.generator = SeededGenerator(seed: seed)
    }

    /// Replaces the scenario, keeping the generator's position.
    public mutating func setScenario(_ scenario: FaultScenario) {
        self.scenario = scenario
    }

    /// Decides what to do with one request.
    ///
    /// - Parameters:
    ///   - elapsed: time since the scenario started.
    ///   - streaming: whether the request asked for a stream (stream faults apply only then).
    public mutating func decide(elapsed: Duration, streaming: Bool, model: String? = nil) -> MockDecision {
        var (index, phase) = scenario.phase(at: elapsed)
        var latency = phase.latency.sample(using: &generator)
        let faultRoll = Double.random(in: 0..<1, using: &generator)
        let streamRoll = Double.random(in: 0..<1, using: &generator)

        var outcome = MockDecision.Outcome.answer
        // A phase scoped to some models spares the others: they are answered at once, without
        // faults (the dice are rolled all the same, so that one seed gives one sequence
        // whatever the models asked for).
        let spared = phase.models.map { models in model.map { !models.contains($0) } ?? false } ?? false
        if spared {
            phase = phase.spared
            latency = .zero
        } else if phase.outage {
            outcome = .status(phase.outageStatus)
        } else {
            var threshold = phase.resetRate
            if faultRoll < threshold {
                outcome = .reset
            } else {
                for status in phase.errorRates.keys.sorted() {
                    threshold += phase.errorRates[status] ?? 0
                    if faultRoll < threshold {
                        outcome = .status(status)
                        break
                    }
                }
                if case .answer = outcome, faultRoll < threshold + phase.malformedRate {
                    outcome = .malformed
                }
            }
        }

        var streamFault: MockDecision.StreamFault?
        if streaming, !spared, case .answer = outcome {
            if streamRoll < phase.streamCutRate {
                streamFault = .cut(afterChunks: phase.streamCutAfterChunks, mode: phase.streamCutMode)
            } else if streamRoll < phase.streamCutRate + phase.stallRate {
                streamFault = .stall(afterChunks: phase.stallAfterChunks, duration: phase.stallDuration)
            }
        }
        return MockDecision(
            phaseIndex: index, phase: phase, latency: latency, outcome: outcome, streamFault: streamFault)
    }
}
