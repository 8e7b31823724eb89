import Canary
import MockProvider

/// What `shepherd demo` shows: a healthy migration, or the relay failing part-way through it.
enum DemoScenario: String, CaseIterable, Sendable {
    /// The relay stays healthy: the ramp climbs the whole ladder to 100%.
    case healthy
    /// Part-way up the ladder every relay call starts failing with 503: failover hides it from
    /// clients, and the scorer rolls the canary back.
    case relayOutage = "relay-outage"
    /// Part-way up the ladder the relay degrades (10% errors, four times slower): the scorer sees
    /// it and rolls back.
    case brownout

    /// The canary percentage at which the relay's trouble starts (`nil`: it never does).
    var troubleAtPercent: Double? { self == .healthy ? nil : 25 }

    /// The phase the demo expects to end in.
    var expectedPhase: RampPhase { self == .healthy ? .promoted : .rolledBack }

    /// One line for the start banner.
    var story: String {
        switch self {
        case .healthy: "a healthy relay: watch the canary climb 5% → 100% in 1.5× steps"
        case .relayOutage: "the relay goes down at 25%: failover hides it from clients, then an automatic rollback"
        case .brownout: "the relay browns out at 25% (10% errors, 4× slower): the scorer rolls it back"
        }
    }

    /// Both mocks' latency: a quick, realistic spread.
    static let latency = LatencyDistribution(p50: .milliseconds(25), p95: .milliseconds(80))

    /// The providers' normal day.
    static var normal: FaultScenario {
        var phase = FaultScenario.Phase()
        phase.latency = latency
        phase.chunkInterval = .milliseconds(5)
        phase.completionTokens = 24
        phase.tokensPerChunk = 4
        return FaultScenario(name: "normal", phase)
    }

    /// The relay's trouble, applied when the canary reaches ``troubleAtPercent``.
    var trouble: FaultScenario? {
        var phase = Self.normal.phases[0]
        switch self {
        case .healthy:
            return nil
        case .relayOutage:
            phase.outage = true
            phase.outageStatus = 503
            phase.retryAfter = nil
            return FaultScenario(name: "relay-outage", phase)
        case .brownout:
            phase.latency = LatencyDistribution(p50: .milliseconds(100), p95: .milliseconds(320))
            phase.errorRates = [503: 0.07, 500: 0.03]
            phase.retryAfter = nil
            return FaultScenario(name: "brownout", phase)
        }
    }
}
