/// The ramp's state machine: `idle → ramping(p) → promoted`, with `paused` and `rolledBack(reason)`.
///
/// A plain value that never sleeps and never reads a clock: it takes `now`
/// and a verdict (or an operator's command) and returns what happened. The
/// caller performs the result: sets the split's percentage, stores the
/// event, and calls ``evaluate(now:verdict:relaySamplesInStep:frozen:)``
/// again at the next evaluation interval. This keeps every rule testable with
/// a hand-set time and lets the same machine run live, in the simulator and in
/// tests.
///
/// Rules:
/// - a step advances (×`stepFactor`, capped at `maxPercent`, never above it)
///   only on a **healthy** verdict after it has held `minHoldTime` and seen
///   `minSamplesPerStep` relay calls;
/// - **insufficient data holds**: it never advances and never rolls back;
/// - an **unhealthy** verdict acts by `onFailure` (`rollback`, `stepBack`,
///   `pause`); `maxFailedChecks` unhealthy verdicts in a row roll back whatever
///   `onFailure` says, paused or not;
/// - while the rollback switch is engaged (`frozen`), nothing moves;
/// - every transition is a ``RampEvent`` with time, from, to and reason.
///
/// ```swift
/// var ramp = RampController<ContinuousClock.Instant>(policy: RampPolicy())
/// let started = try ramp.apply(.start, now: .now)       // idle → ramping 5%
/// let decision = ramp.evaluate(now: .now, verdict: verdict, relaySamplesInStep: 240, frozen: false)
/// if let event = decision.event { store.append(event) }
/// split.percent = ramp.state.effectivePercent
/// ```
public struct RampController<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The policy in force.
    public let policy: RampPolicy
    /// The ladder of percentages, computed once.
    public let ladder: [Double]
    /// The current state.
    public private(set) var state: RampState<Instant>

    /// Creates a controller in the `idle` phase (or resuming a stored state).
    public init(policy: RampPolicy, state: RampState<Instant>? = nil) {
        self.policy = policy
        self.ladder = policy.ladder
        self.state = state ?? .idle
    }

    // MARK: Evaluation

    /// Judges one evaluation: advance, hold, or act on failure.
    ///
    /// - Parameters:
    ///   - now: the current time.
    ///   - verdict: the scorer's verdict on the health window.
    ///   - relaySamplesInStep: relay calls judged since the current step began.
    ///   - frozen: whether the rollback switch is engaged.
    /// - Returns: the decision, with the transition's event when the state changed.
    public mutating func evaluate(
        now: Instant, verdict: HealthVerdict, relaySamplesInStep: Int, frozen: Bool
    ) -> RampDecision<Instant> {
        if frozen { return hold(.frozen, verdict: verdict, now: now) }
        switch state.phase {
        case .idle: return hold(.notStarted, verdict: verdict, now: now)
        case .rolledBack: return hold(.rolledBack, verdict: verdict, now: now)
        // The shadow phase is judged on its pairs (evaluateShadow), not on the window.
        case .shadowing: return hold(.shadowing("waiting for the shadow comparison"), verdict: verdict, now: now)
        case .baking: return evaluateBake(now: now, verdict: verdict)
        case .ramping, .promoted, .paused: break
        }

        switch verdict.kind {
        case .unhealthy:
            return onUnhealthy(now: now, verdict: verdict)
        case .insufficientData:
            return hold(.insufficientData, verdict: verdict, now: now)
        case .healthy:
            state.consecutiveFailures = 0
            switch state.phase {
            case .paused: return hold(.paused, verdict: verdict, now: now)
            case .promoted: return hold(.promoted, verdict: verdict, now: now)
            default: break
            }
            let held = state.stepStartedAt.map { $0.duration(to: now) } ?? .zero
            if held < policy.minHoldTime {
                return hold(.holdingStep(remaining: policy.minHoldTime - held), verdict: verdict, now: now)
            }
            if relaySamplesInStep < policy.minSamplesPerStep {
                return hold(.needsSamples(policy.minSamplesPerStep - relaySamplesInStep), verdict: verdict, now: now)
            }
            let next = nextPercent(after: state.percent)
            if next >= policy.maxPercent, let bakePercent = policy.bakePercent, let bake = policy.bake {
                return transition(
                    to: .baking, percent: bakePercent, now: now,
                    reason: TransitionReason(
                        kind: .bakeStarted,
                        message:
                            "held \(DurationText.format(held)) with \(relaySamplesInStep) relay calls and a "
                            + "healthy verdict: \(formatPercent(state.percent)) → \(formatPercent(bakePercent)), "
                            + "baking for \(DurationText.format(bake.duration)) with \(formatPercent(bake.holdback)) "
                            + "held back on legacy",
                        verdict: verdict.reason))
            }
            let kind: TransitionReason.Kind = next >= policy.maxPercent ? .promoted : .stepAdvanced
            let message =
                "held \(DurationText.format(held)) with \(relaySamplesInStep) relay calls and a healthy verdict: "
                + "\(formatPercent(state.percent)) → \(formatPercent(next))"
            return transition(
                to: next >= policy.maxPercent ? .promoted : .ramping, percent: next, now: now,
                reason: TransitionReason(kind: kind, message: message, verdict: verdict.reason))
        }
    }

    /// The bake: a regression acts by `onFailure` as on any step; anything else holds until the
    /// bake's duration has passed, then promotes. Insufficient data does not stop the promotion
    /// (a small holdback may never gather `minSamples` legacy calls): the bake guards against a
    /// regression the verdicts can see.
    private mutating func evaluateBake(now: Instant, verdict: HealthVerdict) -> RampDecision<Instant> {
        if verdict.kind == .unhealthy { return onUnhealthy(now: now, verdict: verdict) }
        if verdict.kind == .healthy { state.consecutiveFailures = 0 }
        let duration = policy.bake?.duration ?? .zero
        let baked = state.stepStartedAt.map { $0.duration(to: now) } ?? duration
        guard baked >= duration else { return hold(.baking(remaining: duration - baked), verdict: verdict, now: now) }
        return transition(
            to: .promoted, percent: policy.maxPercent, now: now,
            reason: TransitionReason(
                kind: .promoted,
                message: "baked \(DurationText.format(baked)) at \(formatPercent(state.percent)) with no regression "
                    + "(last verdict: \(verdict.kind.rawValue)): \(formatPercent(state.percent)) → \(formatPercent(policy.maxPercent))",
                verdict: verdict.reason))
    }

    /// Judges the shadow phase on its comparison: when it passes, the first step begins.
    ///
    /// - Parameters:
    ///   - now: the current time.
    ///   - verdict: the shadow comparison's verdict.
    ///   - frozen: whether the rollback switch is engaged.
    /// - Returns: the decision; a hold says what the comparison still lacks.
    public mutating func evaluateShadow(now: Instant, verdict: ShadowVerdict, frozen: Bool) -> RampDecision<Instant> {
        func hold(_ why: HoldReason) -> RampDecision<Instant> {
            .hold(at: now, why, verdict: verdict.health)
        }
        guard state.phase == .shadowing else { return hold(.shadowing("not shadowing")) }
        if frozen { return hold(.frozen) }
        guard verdict.passed else { return hold(.shadowing(verdict.summary)) }
        return transition(
            to: .ramping, percent: ladder[0], now: now,
            reason: TransitionReason(
                kind: .shadowPassed,
                message: "shadow comparison passed (\(verdict.summary)): 0% → \(formatPercent(ladder[0]))",
                verdict: verdict.health))
    }

    private mutating func onUnhealthy(now: Instant, verdict: HealthVerdict) -> RampDecision<Instant> {
        state.consecutiveFailures += 1
        let failures = state.consecutiveFailures
        if failures >= policy.maxFailedChecks {
            return rollBack(
                now: now,
                reason: TransitionReason(
                    kind: .rolledBackAfterFailedChecks,
                    message:
                        "\(failures) unhealthy verdicts in a row (max \(policy.maxFailedChecks)): \(verdict.reason.summary)",
                    verdict: verdict.reason))
        }
        if state.phase == .paused {
            return hold(.paused, verdict: verdict, now: now)
        }
        switch policy.onFailure {
        case .rollback:
            return rollBack(
                now: now,
                reason: TransitionReason(
                    kind: .rolledBackOnFailure, message: verdict.reason.summary, verdict: verdict.reason))
        case .pause:
            return transition(
                to: .paused, percent: state.percent, now: now,
                reason: TransitionReason(
                    kind: .pausedOnFailure, message: verdict.reason.summary, verdict: verdict.reason),
                keepStepStart: true)
        case .stepBack:
            guard let previous = previousPercent(before: state.percent) else {
                return rollBack(
                    now: now,
                    reason: TransitionReason(
                        kind: .rolledBackOnFailure, message: "no step below the first: \(verdict.reason.summary)",
                        verdict: verdict.reason))
            }
            return transition(
                to: .ramping, percent: previous, now: now,
                reason: TransitionReason(
                    kind: .steppedBack,
                    message: "\(formatPercent(state.percent)) → \(formatPercent(previous)): \(verdict.reason.summary)",
                    verdict: verdict.reason))
        }
    }

    // MARK: Operator commands

    /// Applies an operator's command.
    ///
    /// - Returns: the transition's event.
    /// - Throws: ``RampCommandError`` when the current phase does not allow the command
    ///   (for example `resume` while not paused), naming the phase and what to do instead.
    @discardableResult
    public mutating func apply(
        _ command: RampCommand, now: Instant, reason: String? = nil, frozen: Bool = false
    ) throws(RampCommandError) -> RampEvent<Instant> {
        let note = reason.map { ": \($0)" } ?? ""
        func reject(_ why: String) -> RampCommandError {
            RampCommandError(command: command, phase: state.phase, message: why)
        }
        if frozen, command.movesTrafficToRelay {
            throw reject("the rollback switch is engaged; release it before moving traffic to the relay")
        }
        switch command {
        case .start:
            guard state.phase == .idle else {
                throw reject("the rollout has already started; use resume or set-percent")
            }
            if policy.startsWithShadow {
                return transition(
                    to: .shadowing, percent: 0, now: now,
                    reason: TransitionReason(
                        kind: .started,
                        message: "started in shadow: legacy answers every call, the relay is compared\(note)")
                ).event!
            }
            return transition(
                to: .ramping, percent: ladder[0], now: now,
                reason: TransitionReason(kind: .started, message: "started at \(formatPercent(ladder[0]))\(note)")
            ).event!
        case .promote:
            switch state.phase {
            case .idle:
                return try apply(.start, now: now, reason: reason, frozen: frozen)
            case .shadowing:
                return transition(
                    to: .ramping, percent: ladder[0], now: now,
                    reason: TransitionReason(
                        kind: .manualPromote, message: "shadow phase skipped: 0% → \(formatPercent(ladder[0]))\(note)")
                ).event!
            case .baking:
                return transition(
                    to: .promoted, percent: policy.maxPercent, now: now,
                    reason: TransitionReason(
                        kind: .manualPromote,
                        message:
                            "bake ended early: \(formatPercent(state.percent)) → \(formatPercent(policy.maxPercent))\(note)"
                    )
                ).event!
            case .ramping:
                let next = nextPercent(after: state.percent)
                if next >= policy.maxPercent, let bakePercent = policy.bakePercent, state.percent < bakePercent {
                    return transition(
                        to: .baking, percent: bakePercent, now: now,
                        reason: TransitionReason(
                            kind: .manualPromote,
                            message: "\(formatPercent(state.percent)) → \(formatPercent(bakePercent)), baking\(note)")
                    ).event!
                }
                return transition(
                    to: next >= policy.maxPercent ? .promoted : .ramping, percent: next, now: now,
                    reason: TransitionReason(
                        kind: .manualPromote, message: "\(formatPercent(state.percent)) → \(formatPercent(next))\(note)"
                    )
                ).event!
            case .paused: throw reject("the rollout is paused; resume it first")
            case .promoted: throw reject("the rollout is already at its maximum of \(formatPercent(policy.maxPercent))")
            case .rolledBack:
                throw reject("the rollout is rolled back; resume restarts it at \(formatPercent(ladder[0]))")
            }
        case .pause:
            guard state.phase == .ramping || state.phase == .baking || state.phase == .promoted else {
                throw reject(
                    state.phase == .shadowing
                        ? "a shadowing rollout sends no client to the relay; promote skips the shadow phase, rollback ends it"
                        : "only a ramping, baking or promoted rollout can be paused")
            }
            return transition(
                to: .paused, percent: state.percent, now: now,
                reason: TransitionReason(
                    kind: .manualPause, message: "paused at \(formatPercent(state.percent))\(note)"),
                keepStepStart: true
            ).event!
        case .resume:
            switch state.phase {
            case .paused:
                let phase: RampPhase =
                    state.percent >= policy.maxPercent ? .promoted : state.resumePhase == .baking ? .baking : .ramping
                return transition(
                    to: phase, percent: state.percent, now: now,
                    reason: TransitionReason(
                        kind: .manualResume, message: "resumed at \(formatPercent(state.percent))\(note)")
                ).event!
            case .rolledBack:
                if policy.startsWithShadow {
                    return transition(
                        to: .shadowing, percent: 0, now: now,
                        reason: TransitionReason(
                            kind: .manualResume, message: "restarted after rollback in shadow\(note)")
                    ).event!
                }
                return transition(
                    to: .ramping, percent: ladder[0], now: now,
                    reason: TransitionReason(
                        kind: .manualResume, message: "restarted after rollback at \(formatPercent(ladder[0]))\(note)")
                ).event!
            default:
                throw reject("only a paused or rolled-back rollout can be resumed")
            }
        case .rollback:
            guard state.phase != .rolledBack else { throw reject("the rollout is already rolled back") }
            guard state.phase != .idle else { throw reject("the rollout has not started") }
            return rollBack(
                now: now,
                reason: TransitionReason(kind: .manualRollback, message: "rolled back by an operator\(note)")
            ).event!
        case .setPercent(let percent):
            guard percent.isFinite, percent >= 0, percent <= policy.maxPercent else {
                throw reject(
                    "percent must be between 0 and the policy's maximum \(formatPercent(policy.maxPercent)), got \(percent)"
                )
            }
            if percent == 0 {
                guard state.phase != .rolledBack else { throw reject("the rollout is already at 0%") }
                return rollBack(
                    now: now,
                    reason: TransitionReason(kind: .manualSetPercent, message: "set to 0%\(note)")
                ).event!
            }
            return transition(
                to: percent >= policy.maxPercent ? .promoted : .ramping, percent: percent, now: now,
                reason: TransitionReason(
                    kind: .manualSetPercent,
                    message: "\(formatPercent(state.percent)) → \(formatPercent(percent))\(note)")
            ).event!
        }
    }

    // MARK: Helpers

    /// The next percentage on the ladder above `percent` (the maximum at most).
    public func nextPercent(after percent: Double) -> Double {
        ladder.first { $0 > percent } ?? policy.maxPercent
    }

    /// The percentage on the ladder below `percent`, or `nil` below the first step.
    public func previousPercent(before percent: Double) -> Double? {
        ladder.last { $0 < percent }
    }

    private mutating func rollBack(now: Instant, reason: TransitionReason) -> RampDecision<Instant> {
        transition(to: .rolledBack, percent: 0, now: now, reason: reason)
    }

    private mutating func transition(
        to phase: RampPhase, percent: Double, now: Instant, reason: TransitionReason, keepStepStart: Bool = false
    ) -> RampDecision<Instant> {
        let from = state
        state.phase = phase
        state.percent = min(percent, policy.maxPercent)
        if phase == .paused || phase == .rolledBack, from.phase != .paused {
            state.resumePhase = from.phase
        }
        if !keepStepStart {
            state.stepStartedAt = now
            state.step = ladder.lastIndex { $0 <= state.percent } ?? 0
        }
        if phase == .rolledBack || reason.kind.isManual { state.consecutiveFailures = 0 }
        let event = RampEvent(
            time: now, from: from.phase, to: phase, fromPercent: from.percent, toPercent: state.percent, reason: reason)
        return .transition(event, verdict: reason.verdict)
    }

    private func hold(_ why: HoldReason, verdict: HealthVerdict, now: Instant) -> RampDecision<Instant> {
        .hold(at: now, why, verdict: verdict.reason)
    }
}

/// Formats a percentage for people: `5%`, `11.25%`, `16.88%`.
public func formatPercent(_ percent: Double) -> String {
    let rounded = (percent * 100).rounded() / 100
    if rounded == rounded.rounded() { return "\(Int(rounded))%" }
    return "\(rounded)%"
}
