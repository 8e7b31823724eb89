/// What a simulation did: the timeline of decisions, the final state and the traffic totals.
public struct SimulationReport: Sendable, Hashable, Codable {
    /// One line of the timeline.
    public struct Entry: Sendable, Hashable, Codable {
        /// What kind of line.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// The ramp changed state.
            case transition
            /// The ramp held (with the reason).
            case hold
            /// A scenario event.
            case note
        }

        /// Seconds from the start.
        public var at: Double
        public var kind: Kind
        /// Phase after the line.
        public var phase: RampPhase
        /// Stored percent after the line.
        public var percent: Double
        /// The verdict at an evaluation.
        public var verdict: HealthVerdict.Kind?
        /// The display score at an evaluation.
        public var score: Double?
        /// The transition's reason kind.
        public var transition: TransitionReason.Kind?
        /// The hold's reason, machine-readable.
        public var hold: String?
        /// The verdict's reason code at an evaluation.
        public var reason: HealthReason.Code?
        /// A sentence for people.
        public var message: String
        /// The models the verdict names (``HealthReason/suspectModels``), worst first (absent when none).
        public var failingModels: [String]? = nil
    }

    /// Traffic totals of one path.
    public struct PathTotals: Sendable, Hashable, Codable {
        public var requests = 0
        public var successes = 0
        public var failures = 0
    }

    public var scenario: String
    public var rolloutID: String
    public var seed: UInt64
    /// Simulated seconds.
    public var duration: Double
    /// Every evaluation, transition and scenario event, in time order.
    public var entries: [Entry] = []
    public var legacy = PathTotals()
    public var relay = PathTotals()
    /// Relay failures answered by legacy.
    public var fallbacks = 0
    /// Requests that failed on every path tried.
    public var clientVisibleFailures = 0
    public var finalPhase: RampPhase = .idle
    public var finalPercent: Double = 0
    /// Highest stored percentage reached.
    public var maxPercentReached: Double = 0
    /// Seconds from the start to promotion, if it happened.
    public var promotedAt: Double?
    /// Seconds from the start to the first rollback, if one happened.
    public var rolledBackAt: Double?

    init(scenario: String, rolloutID: String, seed: UInt64, duration: Double) {
        self.scenario = scenario
        self.rolloutID = rolloutID
        self.seed = seed
        self.duration = duration
    }

    /// The transitions only.
    public var transitions: [Entry] { entries.filter { $0.kind == .transition } }

    /// The percentages the ramp moved through, in order (0 for a rollback).
    public var percentPath: [Double] { transitions.map(\.percent) }

    mutating func append(event: RampEvent<ManualClock.Instant>, at: Double) {
        entries.append(
            Entry(
                at: at, kind: .transition, phase: event.to, percent: event.toPercent, verdict: nil, score: nil,
                transition: event.reason.kind, hold: nil, reason: nil, message: event.summary))
        note(event.to, event.toPercent, at)
    }

    mutating func append(
        decision: RampDecision<ManualClock.Instant>, verdict: HealthVerdict, state: RampState<ManualClock.Instant>,
        at: Double
    ) {
        if let event = decision.event {
            entries.append(
                Entry(
                    at: at, kind: .transition, phase: event.to, percent: event.toPercent, verdict: verdict.kind,
                    score: verdict.score, transition: event.reason.kind, hold: nil, reason: verdict.reason.code,
                    message: event.summary,
                    failingModels: verdict.reason.suspectModels.isEmpty
                        ? nil : verdict.reason.suspectModels.map(\.model)))
            note(event.to, event.toPercent, at)
        } else {
            let hold = decision.hold ?? .insufficientData
            var message = hold.description
            if hold == .insufficientData || verdict.kind == .insufficientData {
                message += " (\(verdict.reason.summary))"
            }
            entries.append(
                Entry(
                    at: at, kind: .hold, phase: state.phase, percent: state.percent, verdict: verdict.kind,
                    score: verdict.score, transition: nil, hold: hold.code, reason: verdict.reason.code,
                    message: message))
        }
    }

    mutating func append(note: String, at: Double) {
        let last = entries.last { $0.kind != .note }
        entries.append(
            Entry(
                at: at, kind: .note, phase: last?.phase ?? .idle, percent: last?.percent ?? 0, verdict: nil, score: nil,
                transition: nil, hold: nil, reason: nil, message: note))
    }

    private mutating func note(_ phase: RampPhase, _ percent: Double, _ at: Double) {
        maxPercentReached = max(maxPercentReached, percent)
        if phase == .promoted, promotedAt == nil { promotedAt = at }
        if phase == .rolledBack, rolledBackAt == nil { rolledBackAt = at }
    }

    mutating func count(_ outcome: CallOutcome, on path: TrafficPath) {
        var totals = path == .legacy ? legacy : relay
        totals.requests += 1
        if case .success = outcome.status { totals.successes += 1 } else { totals.failures += 1 }
        if path == .legacy { legacy = totals } else { relay = totals }
    }

    mutating func finish(state: RampState<ManualClock.Instant>) {
        finalPhase = state.phase
        finalPercent = state.percent
    }
}

extension HoldReason {
    /// A machine-readable name.
    public var code: String {
        switch self {
        case .frozen: "frozen"
        case .notStarted: "notStarted"
        case .rolledBack: "rolledBack"
        case .paused: "paused"
        case .promoted: "promoted"
        case .insufficientData: "insufficientData"
        case .holdingStep: "holdingStep"
        case .needsSamples: "needsSamples"
        case .shadowing: "shadowing"
        case .baking: "baking"
        }
    }
}
