public import Canary
public import Resilience
public import Upstream

/// How to route one call: its routing key and its per-call context.
public struct RoutingHint: Sendable {
    /// The sticky key (a header, the OpenAI `user` field or a session id); `nil` routes at random.
    public var key: String?
    /// Passed to the provider (request id, headers, logger).
    public var context: CallContext
    /// The task tier whose model fallback chain the call follows on the relay (`critical`,
    /// `balanced`, …, the policy's `chains`); `nil` calls the requested model only.
    public var tier: String?

    /// Creates a hint.
    public init(key: String? = nil, tier: String? = nil, context: CallContext = CallContext()) {
        self.key = key
        self.tier = tier
        self.context = context
    }

    /// The key for a request: an explicit key (header, session) first, then the OpenAI `user` field.
    public static func key(explicit: String?, request: ChatRequest) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let user = request.user, !user.isEmpty { return user }
        return nil
    }
}

/// An answer and how it was obtained.
public struct RoutedResponse: Sendable {
    /// The answer, in the OpenAI shape whichever upstream produced it.
    public var response: ChatResponse
    /// The path that answered.
    public var path: TrafficPath
    /// The path the split chose (differs from `path` when the relay failed over to legacy).
    public var chosenPath: TrafficPath
    /// Whether a relay failure was answered by legacy.
    public var fellBack: Bool
    /// Every attempt made, in order.
    public var attempts: [RoutedAttempt]
}

/// One attempt on one path.
public struct RoutedAttempt: Sendable, Hashable, Codable {
    /// The path tried.
    public var path: TrafficPath
    /// The upstream provider's name.
    public var provider: String
    /// The model asked for.
    public var model: String
    /// `nil` on success, else the failure's class.
    public var failure: FailureClass?
    /// A short, secret-free description of the failure.
    public var detail: String?
    /// How long the attempt took.
    public var latency: Duration
    /// The failure as decided when the attempt failed (`nil` on success); not encoded.
    public var outcome: CallFailure?

    private enum CodingKeys: String, CodingKey {
        case path, provider, model, failure, detail, latency
    }

    /// An attempt that succeeded (`failure` `nil`) or failed as `failure` decides: its class and label.
    init(path: TrafficPath, provider: String, model: String, failure: CallFailure? = nil, latency: Duration) {
        self.path = path
        self.provider = provider
        self.model = model
        self.failure = failure?.failureClass
        self.detail = failure?.label
        self.latency = latency
        self.outcome = failure
    }

    /// `relay gpt-4.1: serverError (http_503)`.
    public var summary: String {
        "\(path) \(model): \(failure.map { "\($0.rawValue)\(detail.map { " (\($0))" } ?? "")" } ?? "ok")"
    }
}

/// A call that no path could answer, or that the caller got wrong.
public struct RouterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// Every path tried failed; `attempts` says how.
        case allPathsFailed
        /// The caller's request was refused by the upstream (400, 404, 409, 413, 422): not failed over.
        case rejected
        /// An upstream refused Shepherd's credentials (401, 403): a configuration problem, not failed over.
        case upstreamAuth
        /// The caller went away.
        case cancelled
    }

    /// What went wrong.
    public var code: Code
    /// The class of the deciding failure.
    public var failureClass: FailureClass
    /// The upstream status, when there was one.
    public var httpStatus: Int?
    /// The deciding error's message, secret-free.
    public var message: String
    /// Everything tried.
    public var attempts: [RoutedAttempt]
    /// The deciding failure, as decided where it was seen first: what a server maps to a status.
    public var outcome: CallFailure
    /// The deciding error as it was thrown.
    public var underlying: (any Error)?

    public var description: String {
        let tried = attempts.map(\.summary).joined(separator: "; ")
        return "\(message) (tried: \(tried.isEmpty ? "nothing" : tried))"
    }
}

/// What the router reports about itself: for `/admin/status`, the dashboard and `shepherd status`.
public struct RolloutStatus: Sendable, Codable {
    /// The rollout.
    public var rolloutID: String
    /// The stored ramp state.
    public var state: RampState<WallClock.Instant>
    /// The percentage the split uses now (0 while the rollback switch is engaged).
    public var effectivePercent: Double
    /// The policy's ladder.
    public var ladder: [Double]
    /// Whether the rollback switch is engaged, by which sources and why.
    public var rollbackEngaged: Bool
    public var rollbackSources: [String: String]
    /// A problem reading `SHEPHERD_ROLLBACK`, if any.
    public var rollbackError: String?
    /// The latest evaluations, newest last.
    public var recentDecisions: [RampDecision<WallClock.Instant>]
    /// The scorer's verdict on the window now.
    public var verdict: HealthVerdict
    /// Both paths over the window.
    public var legacy: PathSummary
    public var relay: PathSummary
    /// The server's calendar time when this status was taken (for "held for" and "next check in").
    public var now: WallClock.Instant
    /// The step's progress toward the next one (`nil` when the ramp is not ramping).
    public var nextStep: NextStepProgress?
    /// The policy's knobs an operator needs to read the rest.
    public var policy: PolicyDigest
    /// Circuit breaker state by breaker (`legacy/*`, `relay/*`): `closed`, `open`, `halfOpen`, …
    public var breakers: [String: String]
    /// On a shared store: the replicas, the evaluator, the store's reachability and the fleet's
    /// summed health (`nil` on an embedded store).
    public var fleet: FleetView?
    /// The stored version the ramp is at.
    public var version: Int64?
    /// Each path's configuration problem (a certificate not trusted, a host that does not
    /// resolve, credentials refused) since it last answered, by path; `nil` when there is none.
    public var problems: [String: String]?
    /// With `shadow:` in the policy: the shadow comparison as judged now (pairs, agreement and its
    /// interval, the failing comparisons with an example request id, spend).
    public var shadow: ShadowVerdict? = nil
    /// While baking: the holdback and the time left.
    public var bake: BakeProgress? = nil
}

/// Where a bake stands.
public struct BakeProgress: Sendable, Hashable, Codable {
    /// Percent still on legacy.
    public var holdback: Double
    /// The bake's whole duration, in seconds.
    public var durationSeconds: Double
    /// How long it has baked, in seconds.
    public var bakedSeconds: Double

    /// Seconds left before promotion (0 when due at the next evaluation).
    public var remainingSeconds: Double { max(0, durationSeconds - bakedSeconds) }
}

/// What the current step still needs before the ramp can move up.
public struct NextStepProgress: Sendable, Hashable, Codable {
    /// The percentage the next promotion goes to.
    public var nextPercent: Double
    /// Relay calls judged since the step began, and how many a step needs.
    public var relaySamplesInStep: Int
    public var samplesNeeded: Int
    /// Seconds the step has held, and the least it must hold.
    public var heldSeconds: Double
    public var minHoldSeconds: Double
    /// Seconds until the next scheduled evaluation, when known.
    public var nextEvaluationInSeconds: Double?
}

/// The policy in numbers: what the status's other fields are judged against.
public struct PolicyDigest: Sendable, Hashable, Codable {
    public var evaluationIntervalSeconds: Double
    public var minHoldSeconds: Double
    public var minSamplesPerStep: Int
    /// Judged calls per path before any verdict.
    public var minSamples: Int
    /// How far the relay may fall below legacy, and the absolute floor.
    public var tolerance: Double
    public var absoluteFloor: Double
    public var confidence: Double
    /// The window the scorer reads, in seconds.
    public var windowSeconds: Double
    public var onFailure: String

    /// Reads a policy.
    public init(_ policy: RolloutPolicy) {
        evaluationIntervalSeconds = inSeconds(policy.ramp.evaluationInterval)
        minHoldSeconds = inSeconds(policy.ramp.minHoldTime)
        minSamplesPerStep = policy.ramp.minSamplesPerStep
        minSamples = policy.health.minSamples
        tolerance = policy.health.tolerance
        absoluteFloor = policy.health.absoluteFloor
        confidence = policy.health.confidence
        windowSeconds = inSeconds(policy.window.span)
        onFailure = "\(policy.ramp.onFailure)"
    }
}
