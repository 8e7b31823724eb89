/// The structured reason behind a verdict: which check decided, on what numbers.
public struct HealthReason: Sendable, Hashable, Codable {
    /// The deciding cause.
    public enum Code: String, Sendable, Hashable, Codable {
        case insufficientData
        case inconclusive
        case healthy
        case successRateBelowBaseline
        case belowAbsoluteFloor
        case latencyAboveBaseline
        case latencyAboveCeiling
        /// The relay answers a larger share of calls with client errors (4xx) than legacy does.
        case clientErrorsAboveBaseline
        /// One model (or more) does worse on the relay than the same model on legacy; named in
        /// the reason's ``HealthReason/models`` and its summary.
        case modelBelowBaseline
    }

    /// Judged calls and success rates on both sides.
    public struct Samples: Sendable, Hashable, Codable {
        public var legacy: Int
        public var relay: Int
        public var legacySuccessRate: Double?
        public var relaySuccessRate: Double?

        public init(legacy: Int, relay: Int, legacySuccessRate: Double?, relaySuccessRate: Double?) {
            self.legacy = legacy
            self.relay = relay
            self.legacySuccessRate = legacySuccessRate
            self.relaySuccessRate = relaySuccessRate
        }
    }

    /// The deciding cause.
    public var code: Code
    /// The evidence.
    public var samples: Samples
    /// The one-sided confidence of the bounds.
    public var confidence: Double
    /// Every check made, in order.
    public var checks: [CheckResult]
    /// The comparison of client-error shares, when the policy makes it (absent from records
    /// stored before it existed).
    public var clientErrors: ClientErrorComparison?
    /// The per-model table, heaviest model first and `other` last, with each judged model's own
    /// comparison (absent when calls name no model, and from records stored before it existed).
    public var models: [ModelCheck]?

    /// Creates a reason.
    public init(
        code: Code, samples: Samples, confidence: Double, checks: [CheckResult],
        clientErrors: ClientErrorComparison? = nil, models: [ModelCheck]? = nil
    ) {
        self.code = code
        self.samples = samples
        self.confidence = confidence
        self.checks = checks
        self.clientErrors = clientErrors
        self.models = models
    }

    /// The models the relay is shown to fail, worst first.
    public var failingModels: [ModelCheck] {
        (models ?? []).filter { $0.outcome == .fail }.sorted { ($0.upper ?? 0) < ($1.upper ?? 0) }
    }

    /// The models an unhealthy verdict points at: those shown to fail, else (when a success or
    /// floor check failed on several models) the one furthest below its legacy rate, as the first
    /// place to look. Empty for other verdicts.
    public var suspectModels: [ModelCheck] {
        let failing = failingModels
        guard failing.isEmpty else { return failing }
        guard code == .successRateBelowBaseline || code == .belowAbsoluteFloor else { return [] }
        let served = (models ?? []).filter { $0.relay.judged > 0 && $0.legacy.judged > 0 }
        guard served.count >= 2 else { return [] }
        let worst = served.min {
            (($0.relay.successRate ?? 0) - ($0.legacy.successRate ?? 0))
                < (($1.relay.successRate ?? 0) - ($1.legacy.successRate ?? 0))
        }
        return worst.map { [$0] } ?? []
    }

    /// One line for an operator: the deciding check's detail, or why there is no verdict.
    public var summary: String {
        let head = "\(code.rawValue)"
        if let clientErrors,
            code == .clientErrorsAboveBaseline
                || (code == .inconclusive && clientErrors.outcome == .inconclusive
                    && !checks.contains { $0.outcome == .inconclusive })
        {
            return "\(head): client errors: \(clientErrors.detail)"
        }
        let deciding: CheckResult? =
            switch code {
            case .healthy: nil
            case .insufficientData: checks.first
            case .inconclusive: checks.first { $0.outcome == .inconclusive }
            default: checks.first { $0.outcome == .fail }
            }
        if let deciding {
            var line = "\(head): \(deciding.check.rawValue): \(deciding.detail)"
            // A model that fails is named whatever check decided.
            let failing = failingModels
            if deciding.check != .successByModel, !failing.isEmpty {
                line += "; failing on the relay: " + failing.map(\.model).joined(separator: ", ")
            } else if failing.isEmpty, let worst = suspectModels.first {
                line += "; furthest below legacy: \(worst.rates)"
            }
            return line
        }
        let rates =
            "relay \(percent(samples.relaySuccessRate ?? 0)) of \(samples.relay), legacy \(percent(samples.legacySuccessRate ?? 0)) of \(samples.legacy)"
        return "\(head): all checks pass (\(rates))"
    }
}

func percent(_ value: Double) -> String {
    let scaled = (value * 10_000).rounded() / 100
    return "\(scaled)%"
}

func signedPoints(_ value: Double) -> String {
    let points = (value * 10_000).rounded() / 100
    return points >= 0 ? "+\(points)pt" : "\(points)pt"
}
