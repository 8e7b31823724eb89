/// What one evaluation decided: a transition, or a hold with its reason.
public struct RampDecision<Instant: InstantProtocol>: Sendable, Hashable {
    /// Transition or hold.
    public enum Action: String, Sendable, Hashable, Codable {
        case transition
        case hold
    }

    /// When.
    public var time: Instant
    /// Transition or hold.
    public var action: Action
    /// The transition, when there was one.
    public var event: RampEvent<Instant>?
    /// Why the ramp held, when it did.
    public var hold: HoldReason?
    /// The scorer's reason at this evaluation.
    public var verdict: HealthReason?

    /// A transition: `event`, at its time, with the scorer's reason when an evaluation moved the ramp
    /// (an operator's command is recorded as a transition without one).
    public static func transition(_ event: RampEvent<Instant>, verdict: HealthReason? = nil) -> RampDecision {
        RampDecision(time: event.time, action: .transition, event: event, verdict: verdict)
    }

    /// A hold at `time`, and why.
    public static func hold(at time: Instant, _ why: HoldReason, verdict: HealthReason?) -> RampDecision {
        RampDecision(time: time, action: .hold, hold: why, verdict: verdict)
    }

    /// One line for an operator.
    public var summary: String {
        if let event { return event.summary }
        return "hold: \(hold?.description ?? "")"
    }
}

extension RampDecision: Codable where Instant: Codable {}

/// Why the ramp did not move.
public enum HoldReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The rollback switch is engaged.
    case frozen
    /// The rollout has not been started.
    case notStarted
    /// The rollout is rolled back and waits for an operator.
    case rolledBack
    /// The rollout is paused.
    case paused
    /// The rollout is at its maximum.
    case promoted
    /// The scorer has no verdict yet (too few samples, or bounds not yet decisive).
    case insufficientData
    /// The step has not held its minimum time.
    case holdingStep(remaining: Duration)
    /// The step has not seen enough relay calls.
    case needsSamples(Int)
    /// The shadow comparison has not passed yet; what it lacks.
    case shadowing(String)
    /// The bake has not lasted its duration.
    case baking(remaining: Duration)

    public var description: String {
        switch self {
        case .frozen: "rollback switch engaged: ramp frozen"
        case .notStarted: "rollout not started"
        case .rolledBack: "rolled back: waiting for an operator to resume"
        case .paused: "paused: waiting for an operator to resume"
        case .promoted: "promoted: at the policy's maximum"
        case .insufficientData: "insufficient data: holding"
        case .holdingStep(let remaining): "holding step: \(DurationText.format(remaining)) to go"
        case .needsSamples(let count): "holding step: \(count) more relay calls needed"
        case .shadowing(let why): "shadowing: \(why)"
        case .baking(let remaining): "baking: \(DurationText.format(remaining)) to go"
        }
    }
}
