public import Canary
public import Shepherd

/// An operator's command to a running server's ramp, as `POST /admin/<command>`.
public enum AdminCommand: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Move one step up the ladder now.
    case promote
    /// Hold the current percentage.
    case pause
    /// Continue a paused rollout, or restart a rolled-back one at the first step.
    case resume
    /// Send everything back to legacy (the ramp goes to `rolledBack`).
    case rollback

    /// The path under `/admin/`.
    public var path: String { rawValue }

    public var description: String { rawValue }
}

/// The server's answer to a ramp command: the transition it made and the state after it.
public struct AdminCommandResult: Sendable, Hashable, Codable {
    /// The transition, with its reason.
    public var event: RampEvent<WallClock.Instant>
    /// The stored state after the command.
    public var state: RampState<WallClock.Instant>
    /// The percentage the split uses now (0 while the rollback switch is engaged).
    public var effectivePercent: Double
    /// Whether the rollback switch is engaged.
    public var rollbackEngaged: Bool

}

/// The server's answer to `POST /admin/rollback-switch`.
public struct RollbackSwitchResult: Sendable, Hashable, Codable {
    /// Whether the switch is engaged now (by any source).
    public var engaged: Bool
    /// Whether the switch as a whole flipped (off ↔ engaged) with this call; engaging the
    /// override while the flag file already holds the switch changes the sources, not this.
    public var changed: Bool
    /// The engaged sources (`environment`, `override`, `flagFile`) and why.
    public var sources: [String: String]
    /// The percentage the split uses now.
    public var effectivePercent: Double

}
