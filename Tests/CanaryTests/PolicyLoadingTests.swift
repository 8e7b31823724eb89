import Canary
import Foundation
import ShepherdConfig
import ShepherdTesting
import Testing

struct PolicyLoadingTests {
    @Test(arguments: ["default", "conservative", "fast", "guarded"])
    func shippedPoliciesLoad(name: String) throws {
        let policy = try Repository.policy(name)
        #expect(policy.ramp.stepFactor > 1)
        #expect(policy.ramp.ladder.last == policy.ramp.maxPercent)
    }

    @Test func defaultPolicyFileSaysWhatTheDefaultsSay() throws {
        let policy = try Repository.policy("default")
        #expect(policy.rolloutID == "default-migration")
        #expect(policy.ramp == RampPolicy())
        #expect(policy.health == HealthScorer.Configuration())
        #expect(policy.window == WindowConfiguration())
        #expect(policy.chains == RolloutPolicy.defaultChains)
    }

    @Test(arguments: [
        ("rollout:\n  stepfactor: 2\n", "rollout.stepfactor", "unknown key"),
        ("rollot:\n  stepFactor: 2\n", "rollot", "unknown key"),
        ("rollout:\n  stepFactor: fast\n", "rollout.stepFactor", "must be a number"),
        ("rollout:\n  stepFactor: 1\n", "rollout.stepFactor", "must be greater than 1"),
        ("rollout:\n  stepFactor: 0.5\n", "rollout.stepFactor", "must be greater than 1"),
        ("rollout:\n  initialPercent: 50\n  maxPercent: 20\n", "rollout.initialPercent", "must not exceed maxPercent"),
        ("rollout:\n  initialPercent: 0\n", "rollout.initialPercent", "must be above 0"),
        ("rollout:\n  maxPercent: 150\n", "rollout.maxPercent", "at most 100"),
        ("rollout:\n  minHoldTime: -5m\n", "rollout.minHoldTime", "must not be negative"),
        ("rollout:\n  evaluationInterval: 30\n", "rollout.evaluationInterval", "needs a unit"),
        ("rollout:\n  evaluationInterval: soon\n", "rollout.evaluationInterval", "must be a duration"),
        ("rollout:\n  onFailure: panic\n", "rollout.onFailure", "must be one of rollback, stepBack, pause"),
        ("rollout:\n  maxFailedChecks: 0\n", "rollout.maxFailedChecks", "must be at least 1"),
        ("rollout:\n  minSamplesPerStep: 2.5\n", "rollout.minSamplesPerStep", "must be a whole number"),
        ("health:\n  confidence: 1\n", "health.confidence", "strictly between 0 and 1"),
        ("health:\n  confidence: 0\n", "health.confidence", "strictly between 0 and 1"),
        ("health:\n  confidence: 95%\n", "health.confidence", "must be a number"),
        ("health:\n  tolerance: -0.1\n", "health.tolerance", "must be in [0, 1)"),
        ("health:\n  absoluteFloor: 1.5\n", "health.absoluteFloor", "must be in [0, 1]"),
        ("health:\n  latency:\n    p95Ratio: 0.5\n", "health.latency.p95Ratio", "must be at least 1"),
        ("health:\n  window:\n    buckets: 0\n", "health.window.buckets", "between 1 and 10000"),
        ("health:\n  perModel:\n    top: 0\n", "health.perModel.top", "between 1 and 100"),
        ("health:\n  perModel:\n    minSamples: 0\n", "health.perModel.minSamples", "must be at least 1"),
        ("health:\n  perModel:\n    limit: 3\n", "health.perModel.limit", "unknown key"),
        ("health:\n  perModel: 8\n", "health.perModel", "must be a mapping"),
        (
            "health:\n  window:\n    buckets: 2\n    bucketWidth: 5s\n", "health.window",
            "shorter than rollout.evaluationInterval"
        ),
        ("prices:\n  gpt-4.1: { input: 2 }\n", "prices.gpt-4.1.output", "is required"),
        ("prices:\n  gpt-4.1: { input: -2, output: 3 }\n", "prices.gpt-4.1.input", "must not be negative"),
        ("chains:\n  critical: []\n", "chains.critical", "non-empty list"),
        ("chains:\n  critical: [a, a]\n", "chains.critical[1]", "listed twice"),
        ("hedging:\n  fallback: 2s\n", "hedging.after", "is required"),
        ("hedging:\n  after: soon\n", "hedging.after", "must be a duration"),
        ("hedging:\n  after: 0s\n", "hedging.after", "must be above zero"),
        ("hedging:\n  after: 2s\n  fallback: 1s\n", "hedging.fallback", "only with `after: p95`"),
        ("hedging:\n  after: p95\n  fallback: 0s\n", "hedging.fallback", "must be above zero"),
        ("hedging:\n  after: 2s\n  delay: 1s\n", "hedging.delay", "unknown key"),
        ("rollout: [1, 2]\n", "rollout", "must be a mapping"),
        ("rollout:\n  id: x\n  id: y\n", "", "id"),
    ])
    func badPolicyNamesTheFileTheKeyAndTheReason(yaml: String, keyPath: String, reason: String) {
        let error = #expect(throws: ConfigFileError.self) {
            try RolloutPolicy.parse(yaml: yaml, file: "policies/broken.yaml")
        }
        #expect(error?.file == "policies/broken.yaml")
        if !keyPath.isEmpty { #expect(error?.keyPath == keyPath) }
        #expect(error?.reason.contains(reason) == true, "got: \(error?.description ?? "nothing")")
        #expect(error?.description.hasPrefix("policies/broken.yaml: ") == true)
    }

    @Test func hedgingIsOffUnlessThePolicyAsksForItAfterADelayOrTheRelaysP95() throws {
        #expect(try RolloutPolicy.parse(yaml: "rollout: {id: a}", file: "a.yaml").hedging == nil)
        let fixed = try RolloutPolicy.parse(yaml: "hedging:\n  after: 1500ms\n", file: "b.yaml")
        #expect(fixed.hedging == HedgingSettings(delay: .fixed(.milliseconds(1500))))
        let p95 = try RolloutPolicy.parse(yaml: "hedging:\n  after: p95\n", file: "c.yaml")
        #expect(p95.hedging == HedgingSettings(delay: .relayP95(fallback: .seconds(2))))
        let p95WithFallback = try RolloutPolicy.parse(yaml: "hedging: {after: p95, fallback: 3s}", file: "d.yaml")
        #expect(p95WithFallback.hedging == HedgingSettings(delay: .relayP95(fallback: .seconds(3))))
    }

    @Test func invalidYAMLAndMissingFilesAreReported() {
        let syntax = #expect(throws: ConfigFileError.self) {
            try RolloutPolicy.parse(yaml: "rollout: {initialPercent: 5", file: "x.yaml")
        }
        #expect(syntax?.reason.contains("not valid YAML") == true)
        let missing = #expect(throws: ConfigFileError.self) { try RolloutPolicy.load(file: "/nonexistent/p.yaml") }
        #expect(missing?.description == "/nonexistent/p.yaml: does not exist")
        let empty = #expect(throws: ConfigFileError.self) { try RolloutPolicy.parse(yaml: "", file: "e.yaml") }
        #expect(empty?.reason == "the file is empty")
    }

    @Test func verdictsPerModelAreSetByTheirKeysAndTurnOffWithNull() throws {
        let set = try RolloutPolicy.parse(yaml: "health:\n  perModel: { top: 20, minSamples: 30 }\n", file: "p.yaml")
        #expect(set.health.perModel == .init(top: 20, minSamples: 30))
        #expect(set.window.modelLimit == 80, "the window counts enough models for the top 20 to be chosen")
        let off = try RolloutPolicy.parse(yaml: "health:\n  perModel: null\n", file: "p.yaml")
        #expect(off.health.perModel == nil)
    }

    @Test func latencyChecksTurnOffWithNull() throws {
        let policy = try RolloutPolicy.parse(
            yaml: "health:\n  latency:\n    p95Ratio: null\n    maxP95: null\n", file: "p.yaml")
        #expect(policy.health.p95Ratio == nil && policy.health.maxP95 == nil)
    }

    @Test(arguments: [("500ms", 0.5), ("30s", 30), ("2m", 120), ("1h30m", 5400), ("1.5s", 1.5)])
    func durationsParseAsOperatorsWriteThem(text: String, seconds: Double) throws {
        #expect(try inSeconds(DurationText.parse(text).get()) == seconds)
    }
}

struct ScenarioLoadingTests {
    @Test(arguments: [
        "healthy", "relay-outage", "relay-brownout", "latency-regression", "low-traffic", "relay-fails-one-model",
        "model-mix-shift",
    ])
    func shippedScenariosLoad(name: String) throws {
        let scenario = try Repository.scenario(name)
        #expect(scenario.name == name)
        #expect(scenario.duration > .zero)
    }

    @Test func eventsChangeOnlyWhatTheyName() throws {
        let scenario = try Repository.scenario("relay-outage")
        let outage = try #require(scenario.events.first)
        #expect(outage.at == .seconds(720))
        #expect(outage.relay.successRate == 0)
        #expect(outage.relay.failureMix == [.connection: 1])
        #expect(outage.relay.p95 == nil && outage.legacy == .init())
    }

    @Test(arguments: [
        ("traffic: {requestsPerSecond: 1}\n", "duration", "is required"),
        ("duration: 1h\nrelay:\n  successRate: 1.2\n", "relay.successRate", "between 0 and 1"),
        ("duration: 1h\nrelay:\n  latency: { p50: 2s, p95: 1s }\n", "relay.latency.p95", "must not be below p50"),
        ("duration: 1h\nrelay:\n  failures: { teapot: 1 }\n", "relay.failures.teapot", "unknown key"),
        ("duration: 1h\nevents:\n  - at: 2h\n", "events[0].at", "after the end"),
        ("duration: 1h\nevents:\n  - note: x\n", "events[0].at", "is required"),
        (
            "duration: 1h\nevents:\n  - at: 5m\n    relay: { succesRate: 0 }\n", "events[0].relay.succesRate",
            "unknown key"
        ),
        ("duration: 1h\ntraffic: { requestsPerSecond: -1 }\n", "traffic.requestsPerSecond", "between 0 and 10000"),
        ("duration: 0s\n", "duration", "longer than zero"),
        ("duration: 1h\ntraffic:\n  models: { gpt-4.1: -1, b: 1 }\n", "traffic.models.gpt-4.1", "must not be negative"),
        (
            "duration: 1h\ntraffic:\n  models: { gpt-4.1: 0 }\n", "traffic.models",
            "at least one model with a positive weight"
        ),
        ("duration: 1h\nrelay:\n  mix: { a: lots }\n", "relay.mix.a", "must be a number"),
        (
            "duration: 1h\nrelay:\n  models:\n    a: { successRate: 2 }\n", "relay.models.a.successRate",
            "between 0 and 1"
        ),
        ("duration: 1h\nrelay:\n  models:\n    a: { mix: { b: 1 } }\n", "relay.models.a.mix", "unknown key"),
    ])
    func badScenarioNamesTheFileTheKeyAndTheReason(yaml: String, keyPath: String, reason: String) {
        let error = #expect(throws: ConfigFileError.self) {
            try Scenario.parse(yaml: yaml, file: "scenarios/broken.yaml")
        }
        #expect(error?.keyPath == keyPath)
        #expect(error?.reason.contains(reason) == true, "got: \(error?.description ?? "nothing")")
    }

    @Test func modelsMixesAndPerModelBehaviourAreRead() throws {
        let scenario = try Repository.scenario("model-mix-shift")
        #expect(
            scenario.traffic.models.map(\.model) == [
                "gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2",
            ])
        #expect(scenario.relay.mix?.first == Scenario.ModelShare("gpt-4.1", 0.1))
        #expect(scenario.relay.behaviour(for: "deepseek-v3.2").successRate == 0.95)
        #expect(scenario.relay.behaviour(for: "gpt-4.1").successRate == 0.999)
        let failing = try Repository.scenario("relay-fails-one-model")
        #expect(failing.relay.behaviour(for: "gpt-4.1").failureMix == [.serverError: 1])
        #expect(failing.legacy.behaviour(for: "gpt-4.1").successRate == 0.995)
    }

    @Test func validateTellsPoliciesFromScenarios() {
        #expect(
            (try? ConfigFileKind.check(file: Repository.path("policies/fast.yaml")).get())?.hasPrefix(
                "policy fast-migration")
                == true)
        #expect(
            (try? ConfigFileKind.check(file: Repository.path("scenarios/healthy.yaml")).get())?.hasPrefix(
                "scenario healthy")
                == true)
    }

    @Test func aDirectoryOrAHugeFileIsRefusedBeforeItIsRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shepherd-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ConfigFileError.self) { try RolloutPolicy.load(file: directory.path) }
        do {
            _ = try RolloutPolicy.load(file: directory.path)
        } catch {
            #expect(error.reason.contains("is a directory"))
            #expect(!error.reason.contains("NSCocoaErrorDomain"))
        }
        let huge = directory.appendingPathComponent("huge.yaml").path
        let line = "# " + String(repeating: "x", count: 1022) + "\n"
        try String(repeating: line, count: 1_100).write(toFile: huge, atomically: true, encoding: .utf8)
        do {
            _ = try RolloutPolicy.load(file: huge)
            Issue.record("a 1.1 MB policy was read")
        } catch {
            #expect(error.reason.contains("KiB"), "\(error)")
        }
    }

    /// `validate` lists every problem of a file, not only the first; `parse` still throws the first.
    @Test func everyProblemOfAPolicyIsListedInTheOrderOfTheFile() throws {
        let yaml = """
            rollout:
              initialPercent: 0
              stepFactor: 1
              maxPercent: banana
              bogus: 1
            health:
              tolerance: 2
              window: {buckets: 0}
            chains:
              cheap: [a, a]
            extra: true
            """
        let problems = RolloutPolicy.problems(yaml: yaml, file: "bad.yaml")
        #expect(
            problems.map(\.keyPath) == [
                "extra", "rollout.bogus", "rollout.initialPercent", "rollout.stepFactor", "rollout.maxPercent",
                "health.tolerance", "health.window.buckets", "chains.cheap[1]",
            ])
        #expect(problems.allSatisfy { $0.file == "bad.yaml" && !$0.reason.isEmpty })
        #expect(throws: problems[0]) { try RolloutPolicy.parse(yaml: yaml, file: "bad.yaml") }
        #expect(RolloutPolicy.problems(yaml: "rollout: {stepFactor: 2}", file: "ok.yaml").isEmpty)
        #expect(
            RolloutPolicy.problems(yaml: "- a", file: "list.yaml").map(\.reason) == [
                "must be a mapping of keys to values"
            ])
    }

    @Test func everyProblemOfAScenarioIsListed() throws {
        let yaml = """
            duration: 0s
            traffic: {requestsPerSecond: -1, users: 0}
            relay: {successRate: 2}
            events:
              - {at: 10m, nope: 1}
            """
        let problems = Scenario.problems(yaml: yaml, file: "s.yaml")
        #expect(
            problems.map(\.keyPath) == [
                "duration", "traffic.requestsPerSecond", "traffic.users", "relay.successRate", "events[0].nope",
            ])
        #expect(throws: problems[0]) { try Scenario.parse(yaml: yaml, file: "s.yaml") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-\(UUID().uuidString).yaml")
            .path
        try "rollout: {stepFactor: 1, maxPercent: 0}\nhealth: {tolerance: 2}\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard case .failure(let all) = ConfigFileKind.check(file: file) else {
            Issue.record("a policy with three errors passed the check")
            return
        }
        #expect(all.errors.map(\.keyPath) == ["rollout.stepFactor", "rollout.maxPercent", "health.tolerance"])
        #expect(all.description.split(separator: "\n").count == 3)
    }
}
