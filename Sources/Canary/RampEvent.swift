/// One transition of a rollout, for the audit log, the dashboard and the metrics.
public struct RampEvent<Instant: InstantProtocol>: Sendable, Hashable {
    /// When it happened.
    public var time: Instant
    /// The phase before.
    public var from: RampPhase
    /// The phase after.
    public var to: RampPhase
    /// The percentage before.
    public var fromPercent: Double
    /// The percentage after.
    public var toPercent: Double
    /// Why.
    public var reason: TransitionReason

    /// One line for an operator: `ramping 7.5% → ramping 11.25% (stepAdvanced): held 2m …`.
    public var summary: String {
        "\(from) \(formatPercent(fromPercent)) → \(to) \(formatPercent(toPercent)) (\(reason.kind.rawValue)): \(reason.message)"
    }
}

extension RampEvent: Codable where Instant: Codable {}

/// The structured reason behind a transition.
public struct TransitionReason: Sendable, Hashable, Codable {
    /// What kind of transition.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case started
        /// The shadow comparison passed: the first step begins.
        case shadowPassed
        case stepAdvanced
        /// The top of the ladder reached with `rollout.bake`: the bake begins.
        case bakeStarted
        case promoted
        case steppedBack
        case pausedOnFailure
        case rolledBackOnFailure
        case rolledBackAfterFailedChecks
        case manualPromote
        case manualPause
        case manualResume
        case manualRollback
        case manualSetPercent

        /// Whether an operator caused it.
        public var isManual: Bool {
            switch self {
            case .started, .manualPromote, .manualPause, .manualResume, .manualRollback, .manualSetPercent: true
            default: false
            }
        }
    }

    /// What kind of transition.
    public var kind: Kind
    /// A sentence with the numbers.
    public var message: String
    /// The scorer's reason, for automatic transitions.
    public var verdict: HealthReason?

    /// Creates a reason.
    public init(kind: Kind, message: String, verdict: HealthReason? = nil) {
        self.kind = kind
        self.message = message
        self.verdict = verdict
    }
}
