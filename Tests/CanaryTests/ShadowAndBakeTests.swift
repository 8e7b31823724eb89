import ShepherdConfig
import Testing

@testable import Canary

/// The shadow phase before the first step and the guarded bake after the last (issue #16).
struct ShadowAndBakeTests {
    typealias Ramp = RampController<ManualClock.Instant>
    static let bake = RampPolicy.Bake(holdback: 1, duration: .seconds(3600))
    let policy = RampPolicy(
        initialPercent: 50, stepFactor: 2, minHoldTime: .seconds(60), minSamplesPerStep: 10, bake: bake)

    func ramped(to phase: RampPhase) throws -> Ramp {
        var ramp = Ramp(policy: policy)
        try ramp.apply(.start, now: .at(0))
        var t: Int64 = 0
        while ramp.state.phase != phase {
            t += 60
            ramp.evaluate(now: .at(t), verdict: .fixture(.healthy), relaySamplesInStep: 10, frozen: false)
            try #require(t < 10_000)
        }
        return ramp
    }

    // MARK: Bake

    @Test func theTopOfTheLadderBakesWithTheHoldbackOnLegacyThenPromotes() throws {
        var ramp = try ramped(to: .baking)
        #expect(ramp.state.percent == 99)
        #expect(ramp.state.effectivePercent == 99, "the last 1% of the buckets stay on legacy")
        let baked = try #require(ramp.state.stepStartedAt)
        let early = ramp.evaluate(
            now: baked.advanced(by: .seconds(3599)), verdict: .fixture(.healthy), relaySamplesInStep: 0, frozen: false)
        #expect(early.hold == .baking(remaining: .seconds(1)))
        let due = ramp.evaluate(
            now: baked.advanced(by: .seconds(3600)), verdict: .fixture(.insufficientData), relaySamplesInStep: 0,
            frozen: false)
        #expect(due.event?.to == .promoted)
        #expect(ramp.state.percent == 100)
        #expect(due.event?.reason.message.contains("baked 1h") == true)
    }

    @Test func aRegressionDuringTheBakeActsByOnFailure() throws {
        var ramp = try ramped(to: .baking)
        let decision = ramp.evaluate(
            now: .at(9_000), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        #expect(decision.event?.to == .rolledBack)
        #expect(ramp.state.effectivePercent == 0)
    }

    @Test func aFrozenBakeDoesNotPromote() throws {
        var ramp = try ramped(to: .baking)
        let decision = ramp.evaluate(now: .at(99_999), verdict: .fixture(.healthy), relaySamplesInStep: 0, frozen: true)
        #expect(decision.hold == .frozen)
        #expect(ramp.state.phase == .baking)
    }

    @Test func operatorsCanEndOrPauseABake() throws {
        var ramp = try ramped(to: .baking)
        try ramp.apply(.pause, now: .at(9_000))
        #expect(ramp.state.phase == .paused)
        try ramp.apply(.resume, now: .at(9_100))
        #expect(ramp.state.phase == .baking, "a paused bake resumes baking")
        let promoted = try ramp.apply(.promote, now: .at(9_200))
        #expect(promoted.to == .promoted && promoted.toPercent == 100)
    }

    @Test func withoutABakeTheTopOfTheLadderPromotesAtOnce() throws {
        var policy = self.policy
        policy.bake = nil
        var ramp = Ramp(policy: policy)
        try ramp.apply(.start, now: .at(0))
        ramp.evaluate(now: .at(60), verdict: .fixture(.healthy), relaySamplesInStep: 10, frozen: false)
        #expect(ramp.state.phase == .promoted)
    }

    // MARK: Shadow phase

    static func verdict(passed: Bool) -> ShadowVerdict {
        ShadowVerdict(
            passed: passed, summary: passed ? "200 pairs agree" : "text differs", pairs: 200,
            agreeing: passed ? 200 : 10,
            agreementLower: 0.9, agreementUpper: 1, worst: [], spendLastHour: 0, pausedForSpend: false, health: nil)
    }

    @Test func aShadowPolicyStartsInShadowAtZeroAndLeavesOnlyWhenTheComparisonPasses() throws {
        var policy = self.policy
        policy.startsWithShadow = true
        var ramp = Ramp(policy: policy)
        let start = try ramp.apply(.start, now: .at(0))
        #expect(start.to == .shadowing && ramp.state.effectivePercent == 0)
        // The window's verdicts do not move a shadowing rollout, healthy or not.
        let window = ramp.evaluate(now: .at(60), verdict: .fixture(.unhealthy), relaySamplesInStep: 0, frozen: false)
        #expect(window.event == nil && ramp.state.phase == .shadowing)
        let holding = ramp.evaluateShadow(now: .at(120), verdict: Self.verdict(passed: false), frozen: false)
        #expect(holding.hold == .shadowing("text differs"))
        let frozen = ramp.evaluateShadow(now: .at(180), verdict: Self.verdict(passed: true), frozen: true)
        #expect(frozen.hold == .frozen)
        let passed = ramp.evaluateShadow(now: .at(240), verdict: Self.verdict(passed: true), frozen: false)
        #expect(passed.event?.reason.kind == .shadowPassed)
        #expect(ramp.state.phase == .ramping && ramp.state.percent == 50)
    }

    @Test func shadowingCannotBePausedButCanBeSkippedOrEnded() throws {
        var policy = self.policy
        policy.startsWithShadow = true
        var ramp = Ramp(policy: policy)
        try ramp.apply(.start, now: .at(0))
        #expect(throws: RampCommandError.self) { try ramp.apply(.pause, now: .at(1)) }
        var skipped = ramp
        try skipped.apply(.promote, now: .at(2))
        #expect(skipped.state.phase == .ramping && skipped.state.percent == 50)
        try ramp.apply(.rollback, now: .at(3))
        try ramp.apply(.resume, now: .at(4))
        #expect(ramp.state.phase == .shadowing, "a restart after a rollback compares again first")
    }

    // MARK: Comparison and tally

    static func answer(
        _ text: String, finish: String? = "stop", tools: [String] = [], json: String? = nil, ok: Bool = true
    )
        -> ShadowAnswer
    {
        ShadowAnswer(
            status: ok ? 200 : 503, succeeded: ok, failure: ok ? nil : .serverError, latency: .milliseconds(100),
            inputTokens: 10, outputTokens: 5, cost: 0.001, finishReason: finish, toolNames: tools, text: text,
            canonicalJSON: json)
    }

    @Test func pairsAgreeOnSimilarTextAndDifferOnEachComparison() {
        func compare(_ a: ShadowAnswer, _ b: ShadowAnswer) -> [ShadowComparison.Check] {
            ShadowComparison(legacy: a, relay: b, similarityThreshold: 0.5).failed
        }
        #expect(compare(Self.answer("The capital is Paris."), Self.answer("The capital is Paris.")) == [])
        #expect(
            compare(Self.answer("The capital of France is Paris."), Self.answer("Paris is the capital of France!"))
                == [])
        #expect(
            compare(Self.answer("The capital is Paris."), Self.answer("I cannot help with that request.")) == [.text])
        #expect(compare(Self.answer("x"), Self.answer("x", finish: "length")) == [.finishReason])
        #expect(compare(Self.answer("", tools: ["f"]), Self.answer("", tools: ["g"])) == [.toolCalls])
        #expect(compare(Self.answer("x"), Self.answer("", ok: false)) == [.bothSucceeded, .status])
        // A structured answer is compared as JSON: same keys in another order agree, close text does not.
        #expect(
            compare(
                Self.answer("{\"a\":1,\"b\":2}", json: "{\"a\":1,\"b\":2}"),
                Self.answer("{\"b\":2,\"a\":1}", json: "{\"a\":1,\"b\":2}")) == [])
        #expect(
            compare(Self.answer("{\"a\":1}", json: "{\"a\":1}"), Self.answer("{\"a\":2}", json: "{\"a\":2}")) == [.text]
        )
        #expect(ShadowComparison.tokenSetOverlap("a b c", "a b d") == 0.5)
    }

    @Test func theTallyPassesOnEnoughAgreeingPairsAndSaysWhatFailsOtherwise() {
        let policy = ShadowPolicy(minPairs: 100, minAgreement: 0.9, maxSpendPerHour: nil)
        let health = HealthScorer.Configuration(minSamples: 50)
        var agreeing = ShadowTally<ManualClock.Instant>()
        var differing = ShadowTally<ManualClock.Instant>()
        for i in 0..<150 {
            let legacy = Self.answer("The capital is Paris.")
            let same = ShadowComparison(legacy: legacy, relay: legacy, similarityThreshold: 0.5)
            agreeing.add(
                legacy: legacy, relay: legacy, comparison: same, requestID: "r\(i)", keepTexts: false,
                now: .at(Int64(i)))
            let other = Self.answer(i % 3 == 0 ? "The capital is Paris." : "No idea, sorry.")
            let compared = ShadowComparison(legacy: legacy, relay: other, similarityThreshold: 0.5)
            differing.add(
                legacy: legacy, relay: other, comparison: compared, requestID: "r\(i)", keepTexts: false,
                now: .at(Int64(i)))
        }
        let pass = agreeing.verdict(policy: policy, health: health, now: .at(200))
        #expect(pass.passed, "\(pass.summary)")
        #expect(pass.health?.code == .healthy)
        let fail = differing.verdict(policy: policy, health: health, now: .at(200))
        #expect(!fail.passed)
        #expect(fail.summary.contains("text"), "\(fail.summary)")
        #expect(fail.worst.first?.check == .text && fail.worst.first?.exampleRequestID == "r149")
        #expect(fail.worst.first?.exampleTexts == nil, "no text is kept without keepExamples")
        var few = ShadowTally<ManualClock.Instant>()
        let legacy = Self.answer("x")
        few.add(
            legacy: legacy, relay: legacy, comparison: .init(legacy: legacy, relay: legacy, similarityThreshold: 0.5),
            requestID: nil, keepTexts: false, now: .at(0))
        let early = few.verdict(policy: policy, health: health, now: .at(1))
        #expect(early.summary.hasPrefix("1 of 100 pairs"), "\(early.summary)")
    }

    @Test func theSpendCapPausesShadowingForTheRestOfTheHour() {
        let policy = ShadowPolicy(maxSpendPerHour: 0.0025)
        var tally = ShadowTally<ManualClock.Instant>()
        let legacy = Self.answer("x")
        let fresh = tally.mayShadow(policy: policy, now: .at(0))
        #expect(fresh)
        for t in 0..<3 {
            tally.add(
                legacy: legacy, relay: legacy,
                comparison: .init(legacy: legacy, relay: legacy, similarityThreshold: 0.5),
                requestID: nil, keepTexts: false, now: .at(Int64(t)))
        }
        let capped = tally.mayShadow(policy: policy, now: .at(10))
        #expect(!capped, "3 × $0.001 is over the $0.0025 cap")
        let verdict = tally.verdict(policy: policy, health: .init(), now: .at(10))
        #expect(verdict.pausedForSpend && verdict.summary.contains("spend cap"))
        let later = tally.mayShadow(policy: policy, now: .at(3_603))
        #expect(later, "an hour later the spend has left the window")
    }

    @Test func policiesReadTheShadowAndBakeKeys() throws {
        let policy = try RolloutPolicy.parse(
            yaml: """
                rollout: {bake: {holdback: 2, duration: 12h}}
                shadow: {sampleRate: 0.1, minPairs: 50, minAgreement: 0.8, maxSpendPerHour: null, keepExamples: true}
                """, file: "p.yaml")
        #expect(policy.ramp.bake == RampPolicy.Bake(holdback: 2, duration: .seconds(43_200)))
        #expect(policy.ramp.bakePercent == 98)
        #expect(
            policy.shadow
                == ShadowPolicy(
                    sampleRate: 0.1, minPairs: 50, minAgreement: 0.8, maxSpendPerHour: nil, keepExamples: true))
        #expect(policy.ramp.startsWithShadow)
        #expect(
            try RolloutPolicy.parse(yaml: "rollout: {stepFactor: 2}", file: "p.yaml").ramp.startsWithShadow == false)
        let problems = RolloutPolicy.problems(
            yaml: "rollout: {bake: {holdback: 100}}\nshadow: {sampleRate: 0, minAgreement: 2, bogus: 1}", file: "p.yaml"
        )
        #expect(
            problems.map(\.keyPath) == [
                "rollout.bake.holdback", "shadow.bogus", "shadow.sampleRate", "shadow.minAgreement",
            ])
    }
}
