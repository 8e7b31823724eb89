import Canary
import Foundation
import MockProvider
import ShepherdConfig
import ShepherdTesting
import Testing

/// Scenario files, their errors, and the seeded decision engine.
struct FaultScenarioTests {
    static let scenarioDirectory = URL(fileURLWithPath: Repository.path("scenarios/faults"))

    static var scenarioFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scenarioDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func everyShippedScenarioFileLoads() throws {
        let files = Self.scenarioFiles
        #expect(files.count >= 5)
        for file in files {
            let scenario = try FaultScenario.load(contentsOf: Self.scenarioDirectory.appendingPathComponent(file).path)
            #expect(!scenario.phases.isEmpty, "\(file)")
            #expect(scenario.name == String(file.dropLast(5)), "the name matches the file")
        }
    }

    @Test func phasesStartFromTheDefaultsAndReadEveryKnob() throws {
        let scenario = try FaultScenario.parse(
            yaml: """
                name: all-knobs
                defaults:
                  latency: {p50Ms: 80, p95Ms: 300}
                  completionTokens: 20
                phases:
                  - at: 0s
                  - at: 1.5m
                    errorRate: {503: 0.1, 429: 0.2}
                    retryAfter: 3s
                    retryAfterFormat: http-date
                    outage: false
                    resetRate: 0.05
                    malformedRate: 0.05
                    firstTokenDelay: 250ms
                    chunkInterval: 10ms
                    streamCutRate: 0.1
                    streamCutAfterChunks: 4
                    streamCutMode: clean
                    stallRate: 0.1
                    stallAfterChunks: 2
                    stallDuration: forever
                    tokensPerChunk: 5
                    cachedPromptFraction: 0.5
                  - at: 1h
                    outage: true
                    outageStatus: 529
                    latency: 2s
                    retryAfter: none
                """)
        #expect(scenario.name == "all-knobs")
        #expect(scenario.phases.map(\.at) == [.zero, .seconds(90), .seconds(3600)])
        let first = scenario.phases[0]
        #expect(first.latency == LatencyDistribution(p50: .milliseconds(80), p95: .milliseconds(300)))
        #expect(first.completionTokens == 20)
        let second = scenario.phases[1]
        #expect(second.errorRates == [503: 0.1, 429: 0.2])
        #expect(second.retryAfter == .seconds(3))
        #expect(second.retryAfterFormat == .httpDate)
        #expect(second.firstTokenDelay == .milliseconds(250))
        #expect(second.streamCutMode == .clean)
        #expect(second.stallDuration == nil)
        #expect(second.cachedPromptFraction == 0.5)
        #expect(second.completionTokens == 20, "inherited from defaults")
        let third = scenario.phases[2]
        #expect(third.outage && third.outageStatus == 529)
        #expect(third.latency == .fixed(.seconds(2)))
        #expect(third.retryAfter == nil)
        #expect(third.errorRates.isEmpty, "a phase does not inherit from the previous phase")
        #expect(scenario.phase(at: .seconds(89)).index == 0)
        #expect(scenario.phase(at: .seconds(90)).index == 1)
        #expect(scenario.phase(at: .seconds(7200)).index == 2)
    }

    @Test(arguments: [
        ("phases:\n  - at: 0s\n    errorRate: {503: 1.5}", "phases[0].errorRate.503", "between 0 and 1"),
        ("phases:\n  - at: 0s\n    errorRate: {200: 0.1}", "phases[0].errorRate.200", "HTTP error status"),
        ("phases:\n  - at: 0s\n  - at: soon", "phases[1].at", "duration"),
        ("phases:\n  - at: 10s\n  - at: 5s", "phases[1].at", "increasing order"),
        ("phases:\n  - at: 0s\n    latency: {p50Ms: 300, p95Ms: 100}", "phases[0].latency.p95Ms", "below p50Ms"),
        ("phases:\n  - at: 0s\n    outage: maybe", "phases[0].outage", "true or false"),
        ("phases:\n  - at: 0s\n    streamCutMode: sideways", "phases[0].streamCutMode", "abort"),
        ("phases:\n  - at: 0s\n    errorRate: {503: 0.6}\n    resetRate: 0.6", "phases[0].resetRate", "more than 1"),
        ("phases:\n  - at: 0s\n    errorRat: {503: 0.1}", "phases[0].errorRat", "unknown key"),
        ("nmae: typo", "nmae", "unknown key"),
        ("phases: 3", "phases", "must be a list"),
        ("phases: []", "phases", "at least one phase"),
        ("[1, 2]", "", "must be a mapping"),
        ("completionTokens: 0", "completionTokens", "at least 1"),
        ("models: []", "models", "non-empty list"),
        ("models: [gpt-4.1, {a: 1}]", "models[1]", "model name"),
    ])
    func invalidScenariosNameTheFileFieldAndReason(yaml: String, field: String, reason: String) {
        do {
            _ = try FaultScenario.parse(yaml: yaml, file: "scenarios/faults/bad.yaml")
            Issue.record("expected a load error")
        } catch {
            #expect(error.file == "scenarios/faults/bad.yaml")
            #expect(error.keyPath == field)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.description.hasPrefix("scenarios/faults/bad.yaml: "))
        }
    }

    @Test func missingFileIsALoadErrorNamingIt() {
        #expect(throws: ConfigFileError.self) {
            try FaultScenario.load(contentsOf: "/nonexistent/scenario.yaml")
        }
    }

    @Test func sameSeedGivesTheSameDecisions() {
        var phase = FaultScenario.Phase()
        phase.latency = LatencyDistribution(p50: .milliseconds(80), p95: .milliseconds(300))
        phase.errorRates = [503: 0.1, 429: 0.1]
        phase.streamCutRate = 0.1
        let scenario = FaultScenario(phase)
        var first = MockUpstream(scenario: scenario, seed: 99)
        var second = MockUpstream(scenario: scenario, seed: 99)
        var other = MockUpstream(scenario: scenario, seed: 100)
        let a = (0..<200).map { first.decide(elapsed: .zero, streaming: $0 % 2 == 0) }
        let b = (0..<200).map { second.decide(elapsed: .zero, streaming: $0 % 2 == 0) }
        let c = (0..<200).map { other.decide(elapsed: .zero, streaming: $0 % 2 == 0) }
        #expect(a == b)
        #expect(a != c)
    }

    @Test func faultRatesAndLatencyPercentilesMatchThePhase() {
        var phase = FaultScenario.Phase()
        phase.latency = LatencyDistribution(p50: .milliseconds(80), p95: .milliseconds(300))
        phase.errorRates = [503: 0.1, 429: 0.2]
        phase.resetRate = 0.05
        var upstream = MockUpstream(scenario: FaultScenario(phase), seed: 1)
        let count = 20_000
        let decisions = (0..<count).map { _ in upstream.decide(elapsed: .zero, streaming: false) }
        func rate(_ outcome: MockDecision.Outcome) -> Double {
            Double(decisions.filter { $0.outcome == outcome }.count) / Double(count)
        }
        #expect(abs(rate(.status(503)) - 0.1) < 0.01)
        #expect(abs(rate(.status(429)) - 0.2) < 0.01)
        #expect(abs(rate(.reset) - 0.05) < 0.01)
        let latencies = decisions.map(\.latency).sorted()
        let p50 = latencies[count / 2]
        let p95 = latencies[count * 95 / 100]
        #expect(abs(inSeconds(p50) - 0.080) < 0.008, "p50 \(p50)")
        #expect(abs(inSeconds(p95) - 0.300) < 0.03, "p95 \(p95)")
    }

    @Test func outagePhaseFailsEveryRequestWithItsStatus() {
        var outage = FaultScenario.Phase(at: .seconds(60))
        outage.outage = true
        outage.outageStatus = 529
        var upstream = MockUpstream(scenario: FaultScenario(phases: [.init(), outage]), seed: 3)
        #expect(upstream.decide(elapsed: .seconds(59), streaming: false).outcome == .answer)
        #expect(upstream.decide(elapsed: .seconds(60), streaming: true).outcome == .status(529))
        #expect(upstream.decide(elapsed: .seconds(60), streaming: true).streamFault == nil)
    }

    @Test func aPhaseScopedToModelsSparesTheOthers() throws {
        let scenario = try FaultScenario.parse(yaml: "outage: true\nstreamCutRate: 1\nmodels: [gpt-4.1]")
        var upstream = MockUpstream(scenario: scenario, seed: 5)
        #expect(upstream.decide(elapsed: .zero, streaming: false, model: "gpt-4.1").outcome == .status(503))
        let spared = upstream.decide(elapsed: .zero, streaming: true, model: "claude-sonnet-4.5")
        #expect(spared.outcome == .answer && spared.streamFault == nil)
        #expect(upstream.decide(elapsed: .zero, streaming: false).outcome == .status(503), "no model named: no spare")
    }

    /// `validate` lists every bad key of a fault scenario; `parse` throws the first.
    @Test func everyProblemOfAFaultScenarioIsListed() throws {
        let yaml = """
            name: x
            phases:
              - at: 0s
                errorRate: {503: 2}
                bogus: 1
              - at: 1s
                latency: fast
            extra: 1
            """
        let problems = FaultScenario.problems(yaml: yaml, file: "f.yaml")
        #expect(
            problems.map(\.keyPath) == ["extra", "phases[0].errorRate.503", "phases[0].bogus", "phases[1].latency"])
        #expect(throws: ConfigFileError.self) { try FaultScenario.parse(yaml: yaml, file: "f.yaml") }
        do {
            _ = try FaultScenario.parse(yaml: yaml, file: "f.yaml")
        } catch {
            #expect(error.keyPath == "extra")
        }
        #expect(FaultScenario.problems(yaml: "name: ok\nlatency: 10ms\n", file: "ok.yaml").isEmpty)
    }
}
