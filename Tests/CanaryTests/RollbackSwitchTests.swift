import Canary
import Testing

struct RollbackSwitchTests {
    @Test(arguments: ["1", "true", "TRUE", "yes", "on", " On "])
    func engagingValuesEngage(value: String) {
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": value])
        #expect(rollback.isEngaged)
        #expect(rollback.state.engagedBy == [.environment])
        #expect(rollback.state.configurationError == nil)
    }

    @Test(arguments: ["0", "false", "no", "off", "OFF", ""])
    func releasingValuesRelease(value: String) {
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": value])
        #expect(!rollback.isEngaged)
        #expect(rollback.state.configurationError == nil)
    }

    @Test func unsetReleases() {
        #expect(!RollbackSwitch(environment: ["OTHER": "1"]).isEngaged)
    }

    @Test(arguments: ["2", "enable", "ture", "disabled", "yes please"])
    func unreadableValueFailsSafeAndSaysSo(value: String) throws {
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": value])
        #expect(rollback.isEngaged)
        let error = try #require(rollback.state.configurationError)
        #expect(error.description.contains("SHEPHERD_ROLLBACK"))
        #expect(error.description.contains("\"\(value)\""))
        #expect(error.description.contains("rollback engaged"))
    }

    @Test func anySourceEngagesAndAllMustReleaseForTrafficToReturn() {
        let rollback = RollbackSwitch()
        #expect(rollback.set(.override, engaged: true, reason: "admin: relay paging"))
        #expect(!rollback.set(.flagFile, engaged: true, reason: "/etc/shepherd/rollback exists"))
        #expect(rollback.state.engagedBy == [.override, .flagFile])
        #expect(!rollback.set(.override, engaged: false, reason: ""))
        #expect(rollback.isEngaged)
        #expect(rollback.set(.flagFile, engaged: false, reason: ""))
        #expect(!rollback.isEngaged)
    }

    @Test func engagedSwitchSendsEveryRequestToLegacyAndFreezesTheRamp() throws {
        let rollback = RollbackSwitch(environment: ["SHEPHERD_ROLLBACK": "1"])
        let split = TrafficSplit(rolloutID: "r")
        var ramp = RampController<ManualClock.Instant>(policy: RampPolicy(minHoldTime: .zero, minSamplesPerStep: 0))
        let t0 = ManualClock.Instant(offset: .zero)
        try ramp.apply(.start, now: t0)
        let percent = rollback.isEngaged ? 0 : ramp.state.effectivePercent
        #expect((0..<10_000).allSatisfy { split.path(forKey: "u\($0)", percent: percent) == .legacy })
        let decision = ramp.evaluate(
            now: t0.advanced(by: .seconds(60)), verdict: .fixture(.healthy), relaySamplesInStep: 1000,
            frozen: rollback.isEngaged)
        #expect(decision.hold == .frozen)
        #expect(ramp.state.percent == 5)
        #expect(throws: RampCommandError.self) { try ramp.apply(.promote, now: t0, frozen: true) }
        #expect(throws: Never.self) { try ramp.apply(.rollback, now: t0, frozen: true) }
    }
}
