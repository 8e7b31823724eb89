import Canary

extension HealthVerdict {
    /// A verdict of the given kind with a minimal reason, for ramp tests.
    static func fixture(_ kind: Kind) -> HealthVerdict {
        let code: HealthReason.Code =
            switch kind {
            case .healthy: .healthy
            case .unhealthy: .successRateBelowBaseline
            case .insufficientData: .insufficientData
            }
        let reason = HealthReason(
            code: code, samples: .init(legacy: 500, relay: 500, legacySuccessRate: 0.99, relaySuccessRate: 0.9),
            confidence: 0.95, checks: [])
        return HealthVerdict(kind: kind, score: kind == .healthy ? 1 : kind == .unhealthy ? 0 : 0.5, reason: reason)
    }
}

extension ManualClock.Instant {
    static func at(_ seconds: Int64) -> ManualClock.Instant { .init(offset: .seconds(seconds)) }
}
