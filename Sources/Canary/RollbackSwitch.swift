import Synchronization

/// The emergency brake: while engaged, every request goes to the legacy path and the ramp is frozen.
///
/// The switch has independent sources, and it is engaged when any of them is:
///
/// - the environment variable `SHEPHERD_ROLLBACK` (read at start-up):
///   `1/true/yes/on` engage, `0/false/no/off`, empty or unset release, and
///   anything else **engages** and reports an error naming the variable and
///   the value: a typo must never send traffic to a relay someone meant to
///   switch off;
/// - a live override (the admin API, the CLI);
/// - a watched flag file (its presence engages).
///
/// The stored rollout state is left as it is: the switch overrides the
/// effective percentage (to 0) without forgetting where the ramp stood.
///
/// ```swift
/// let rollback = RollbackSwitch(environment: ProcessInfo.processInfo.environment)
/// if let problem = rollback.state.configurationError { logger.error("\(problem)") }
/// let percent = rollback.isEngaged ? 0 : storedPercent
/// ```
public final class RollbackSwitch: Sendable {
    /// The name of the environment variable.
    public static let environmentVariable = "SHEPHERD_ROLLBACK"

    /// Where an engagement came from.
    public enum Source: String, Sendable, Hashable, CaseIterable, Codable {
        case environment
        case override
        case flagFile
    }

    /// What the switch says now.
    public struct State: Sendable, Hashable {
        /// The sources currently engaging the switch.
        public var engagedBy: Set<Source>
        /// Why each source engaged, in the operator's words or the parser's.
        public var reasons: [Source: String]
        /// A problem reading the environment, if there was one (the switch is then engaged).
        public var configurationError: RollbackSwitchError?

        /// Whether all traffic must go to legacy.
        public var isEngaged: Bool { !engagedBy.isEmpty }
    }

    private let lockedState: Mutex<State>
    private let observers = Mutex<[@Sendable (State) -> Void]>([])

    /// Creates a switch from an environment (usually `ProcessInfo.processInfo.environment`).
    public init(environment: [String: String] = [:]) {
        var state = State(engagedBy: [], reasons: [:], configurationError: nil)
        switch Self.parse(environment[Self.environmentVariable]) {
        case .success(true):
            state.engagedBy.insert(.environment)
            state.reasons[.environment] = "\(Self.environmentVariable)=\(environment[Self.environmentVariable] ?? "")"
        case .success(false):
            break
        case .failure(let error):
            state.engagedBy.insert(.environment)
            state.reasons[.environment] = error.description
            state.configurationError = error
        }
        lockedState = Mutex(state)
    }

    /// Parses a value of `SHEPHERD_ROLLBACK`.
    ///
    /// - Returns: `true` to engage, `false` to release, or an error for anything else
    ///   (which callers must treat as engaged: fail safe).
    public static func parse(_ value: String?) -> Result<Bool, RollbackSwitchError> {
        guard let value else { return .success(false) }
        switch trimmingWhitespace(value).lowercased() {
        case "1", "true", "yes", "on": return .success(true)
        case "", "0", "false", "no", "off": return .success(false)
        default: return .failure(RollbackSwitchError(variable: environmentVariable, value: value))
        }
    }

    /// A snapshot of the switch.
    public var state: State { lockedState.withLock { $0 } }

    /// Whether all traffic must go to legacy now.
    public var isEngaged: Bool { lockedState.withLock { !$0.engagedBy.isEmpty } }

    /// Engages or releases one source.
    ///
    /// - Returns: `true` when the overall engaged state changed.
    @discardableResult
    public func set(_ source: Source, engaged: Bool, reason: String) -> Bool {
        let (sourcesChanged, flipped, after) = lockedState.withLock { state in
            let before = state
            if engaged {
                state.engagedBy.insert(source)
                state.reasons[source] = reason
            } else {
                state.engagedBy.remove(source)
                state.reasons[source] = nil
                if source == .environment { state.configurationError = nil }
            }
            return (before.engagedBy != state.engagedBy, before.isEngaged != state.isEngaged, state)
        }
        if sourcesChanged {
            for observer in observers.withLock({ $0 }) { observer(after) }
        }
        return flipped
    }

    /// Calls `observer` (on the caller's task) every time a source engages or releases.
    public func onChange(_ observer: @escaping @Sendable (State) -> Void) {
        observers.withLock { $0.append(observer) }
    }
}

/// An unreadable `SHEPHERD_ROLLBACK` value. The switch is engaged when this happens.
public struct RollbackSwitchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The variable that was read.
    public var variable: String
    /// The value that could not be read.
    public var value: String

    public var description: String {
        "\(variable)=\"\(value)\" is not a valid value (use 1/true/yes/on to engage, 0/false/no/off to release); "
            + "failing safe: rollback engaged, all traffic goes to legacy"
    }
}
