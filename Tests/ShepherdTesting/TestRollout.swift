public import Canary
public import Shepherd

/// The rollout the router and server tests run: a fixed calendar epoch and a policy whose steps
/// need a minute and a known number of samples, on a manual clock.
public enum TestRollout {
    /// The calendar time at the manual clock's zero.
    public static let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)

    /// The calendar time that follows `clock`: ``epoch`` plus the clock's offset.
    public static func wallNow(_ clock: ManualClock) -> @Sendable () -> WallClock.Instant {
        { epoch.advanced(by: clock.now.offset) }
    }

    /// The default policy with a one-minute hold and `minSamples` samples per step and verdict.
    public static func policy(_ rolloutID: String, minSamples: Int = 100) -> RolloutPolicy {
        var policy = RolloutPolicy(rolloutID: rolloutID)
        policy.ramp.minHoldTime = .seconds(60)
        policy.ramp.minSamplesPerStep = minSamples
        policy.health.minSamples = minSamples
        return policy
    }
}

extension RampController {
    /// Applies the command that moves the ramp on from where it stands: start, promote up the
    /// ladder, roll back, resume, promote, … The walk the store tests and the crash probe
    /// record, which passes through every kind of transition.
    public mutating func stepOn(now: Instant, reason: String? = nil) throws -> RampEvent<Instant> {
        let command: RampCommand =
            switch state.phase {
            case .idle: .start
            case .ramping, .shadowing, .baking: .promote
            case .promoted, .paused: .rollback
            case .rolledBack: .resume
            }
        return try apply(command, now: now, reason: reason)
    }
}
