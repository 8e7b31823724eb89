import Canary
import Logging
import Resilience

/// Ramp and breaker transitions as structured log metadata: `event` names the kind of line
/// (`ramp.transition`, `breaker.transition`) and the reason is fields, not only prose, so a log
/// pipeline (Loki, Elasticsearch) can filter and count them without parsing the message.
enum TransitionLogMetadata {
    /// `event=ramp.transition`, the phases and percentages on both sides, the reason's kind and
    /// message, and for an automatic transition the scorer's deciding code and evidence.
    static func ramp(_ event: RampEvent<some InstantProtocol>, rolloutID: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "event": "ramp.transition",
            "rollout": "\(rolloutID)",
            "transition": "\(event.reason.kind.rawValue)",
            "from_phase": "\(event.from.rawValue)",
            "to_phase": "\(event.to.rawValue)",
            "from_percent": "\(event.fromPercent)",
            "to_percent": "\(event.toPercent)",
            "manual": "\(event.reason.kind.isManual)",
            "reason": "\(event.reason.message)",
        ]
        if let verdict = event.reason.verdict {
            var evidence: Logger.Metadata = [
                "code": "\(verdict.code.rawValue)",
                "legacy_samples": "\(verdict.samples.legacy)",
                "relay_samples": "\(verdict.samples.relay)",
                "confidence": "\(verdict.confidence)",
            ]
            if let rate = verdict.samples.legacySuccessRate { evidence["legacy_success_rate"] = "\(rate)" }
            if let rate = verdict.samples.relaySuccessRate { evidence["relay_success_rate"] = "\(rate)" }
            metadata["verdict"] = .dictionary(evidence)
        }
        return metadata
    }

    /// `event=breaker.transition`, the breaker, both states and the reason with its numbers.
    static func breaker(key: String, from: CircuitState, to: CircuitState, reason: CircuitBreakerTransitionReason)
        -> Logger.Metadata
    {
        var metadata: Logger.Metadata = [
            "event": "breaker.transition",
            "breaker": "\(key)",
            "from_state": "\(from.rawValue)",
            "to_state": "\(to.rawValue)",
        ]
        switch reason {
        case .failureRate(let rate):
            metadata["reason"] = "failureRate"
            metadata["failure_rate"] = "\(rate)"
        case .slowCallRate(let rate):
            metadata["reason"] = "slowCallRate"
            metadata["slow_call_rate"] = "\(rate)"
        case .consecutiveFailures(let count):
            metadata["reason"] = "consecutiveFailures"
            metadata["consecutive_failures"] = "\(count)"
        case .retryAfter: metadata["reason"] = "retryAfter"
        case .openDurationElapsed: metadata["reason"] = "openDurationElapsed"
        case .trialCallsSucceeded: metadata["reason"] = "trialCallsSucceeded"
        case .trialCallsFailed(let failureRate, let slowCallRate):
            metadata["reason"] = "trialCallsFailed"
            metadata["failure_rate"] = "\(failureRate)"
            metadata["slow_call_rate"] = "\(slowCallRate)"
        case .forcedOpen: metadata["reason"] = "forcedOpen"
        case .disabled: metadata["reason"] = "disabled"
        case .reset: metadata["reason"] = "reset"
        }
        return metadata
    }
}
