/// An operator's command to the ramp.
public enum RampCommand: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Begin the rollout at the initial percentage.
    case start
    /// Move one step up the ladder now (starts an idle rollout).
    case promote
    /// Hold the current percentage.
    case pause
    /// Continue a paused rollout, or restart a rolled-back one at the initial percentage.
    case resume
    /// Send everything back to legacy.
    case rollback
    /// Set the percentage directly (0 rolls back, the maximum promotes).
    case setPercent(Double)

    /// Whether the command can send more traffic to the relay (refused while the rollback switch is engaged).
    public var movesTrafficToRelay: Bool {
        switch self {
        case .start, .promote, .resume: true
        case .setPercent(let p): p > 0
        case .pause, .rollback: false
        }
    }

    public var description: String {
        switch self {
        case .start: "start"
        case .promote: "promote"
        case .pause: "pause"
        case .resume: "resume"
        case .rollback: "rollback"
        case .setPercent(let p): "set-percent \(formatPercent(p))"
        }
    }
}

/// A command the current phase does not allow.
public struct RampCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The command refused.
    public var command: RampCommand
    /// The phase that refused it.
    public var phase: RampPhase
    /// Why, and what to do instead.
    public var message: String

    public var description: String { "cannot \(command) while \(phase): \(message)" }
}
