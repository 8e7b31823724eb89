/// The phases of a rollout.
public enum RampPhase: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Not started: 0% to the relay.
    case idle
    /// Before the first step, with `shadow:` in the policy: every client is answered by legacy
    /// while a sample of its calls is sent to the relay as well and the two answers compared.
    case shadowing
    /// Climbing the ladder.
    case ramping
    /// Held at its percentage by an operator or by the failure policy.
    case paused
    /// At the top of the ladder less the bake's holdback, with `rollout.bake` in the policy: the
    /// verdicts keep running against the holdback's legacy baseline until the bake's duration.
    case baking
    /// At the policy's maximum.
    case promoted
    /// Everything back on legacy after a failure or an operator's rollback.
    case rolledBack

    public var description: String { rawValue }
}

/// Where a rollout stands: what the store persists and a restart resumes from.
public struct RampState<Instant: InstantProtocol>: Sendable, Hashable {
    /// The phase.
    public var phase: RampPhase
    /// The stored canary percentage (0 when idle or rolled back).
    public var percent: Double
    /// The index of the highest ladder step at or below `percent`.
    public var step: Int = 0
    /// When the current step began (the hold time counts from here).
    public var stepStartedAt: Instant? = nil
    /// Unhealthy verdicts in a row.
    public var consecutiveFailures: Int = 0
    /// The phase before a pause or rollback, for display.
    public var resumePhase: RampPhase? = nil

    /// Not started: 0% to the relay. The state a rollout begins in; any other state comes from
    /// the ramp's transitions, or from decoding one a store kept.
    public static var idle: RampState { RampState(phase: .idle, percent: 0) }

    /// The percentage the split should use when the rollback switch is released.
    public var effectivePercent: Double {
        switch phase {
        case .idle, .shadowing, .rolledBack: 0
        case .ramping, .paused, .baking, .promoted: percent
        }
    }
}

extension RampState: Codable where Instant: Codable {}
