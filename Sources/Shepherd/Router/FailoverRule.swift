import Canary
import Resilience

/// When a call that failed on one path is answered by the other: the router's failover
/// decision, read from the decided ``CallFailure``, never from the error.
///
/// - A relay failure of a failover class (timeout, 429, 5xx, connection, TLS, DNS, an open
///   breaker) is answered by legacy; client and auth errors, cancellations and unknown
///   failures surface to the caller.
/// - A legacy failure of a failover class on a call the split sent to legacy is answered by the
///   relay only while the relay serves traffic (its percentage above 0: not before the rollout
///   starts, not after a rollback, never while the rollback switch is engaged). The relay's
///   breaker and retry budget still apply, and its attempt is judged in its window like any other.
struct FailoverRule: Sendable {
    /// Whether the relay's failure is answered by legacy.
    func legacyAnswers(after failure: CallFailure) -> Bool {
        failure.isFailover
    }

    /// Whether legacy's failure, on a call the split chose legacy for, is answered by the relay.
    func relayAnswers(after failure: CallFailure, chosen: TrafficPath, relayPercent: Double) -> Bool {
        chosen == .legacy && failure.isFailover && relayPercent > 0
    }
}

extension RouterError {
    /// The error a call that no path answered throws, from its deciding failure.
    init(deciding failure: CallFailure, error: any Error, attempts: [RoutedAttempt]) {
        let (code, message): (Code, String) =
            switch failure.failureClass {
            case .clientError: (.rejected, "the upstream rejected the request")
            case .authError: (.upstreamAuth, "an upstream refused Shepherd's credentials")
            case .cancelled: (.cancelled, "the caller went away")
            default: (.allPathsFailed, "every path failed")
            }
        self.init(
            code: code, failureClass: failure.failureClass, httpStatus: failure.httpStatus,
            message: "\(message): \(failure.label)", attempts: attempts, outcome: failure, underlying: error)
    }

    /// A request the router refuses itself, before any path is tried (an unknown tier).
    static func rejected(_ message: String, label: String) -> RouterError {
        RouterError(
            code: .rejected, failureClass: .clientError, httpStatus: 400, message: message, attempts: [],
            outcome: CallFailure(.clientError, label: label), underlying: nil)
    }
}
