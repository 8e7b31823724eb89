import Canary
import Logging
import Resilience
import Synchronization

/// Each path's latest configuration problem (its key refused, its certificate not trusted, its
/// host name not resolving), until the path answers again.
final class PathProblems: Sendable {
    private let problems = Mutex<[TrafficPath: String]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Logs a failure that means a path is misconfigured as an error with its cause, and keeps
    /// the cause for the status until the path answers again. A blip is logged at `info` by the
    /// caller; this is the operator's to fix, so it is loud.
    func alarmIfMisconfigured(_ failure: CallFailure, path: TrafficPath, provider: String) {
        guard failure.failureClass.isConfigurationProblem else { return }
        let cause: String
        if failure.failureClass == .authError {
            cause = "\(path) upstream refused Shepherd's credentials: check its API key"
        } else {
            cause = "\(path) path misconfigured: \(failure.message ?? failure.description)"
        }
        let first = problems.withLock { problems in
            defer { problems[path] = cause }
            return problems[path] != cause
        }
        // Every failure is logged (each one is a caller failed over), the first of a kind with the
        // fix-it hint in the status too.
        logger.error(
            "\(cause)",
            metadata: [
                "path": "\(path)", "provider": "\(provider)", "class": "\(failure.failureClass.rawValue)",
                "new": "\(first)",
            ])
    }

    /// A path that answered is no longer misconfigured.
    func clear(on path: TrafficPath) {
        problems.withLock { _ = $0.removeValue(forKey: path) }
    }

    /// The configuration problems seen on each path since it last answered (`relay` → cause).
    var all: [String: String] {
        Dictionary(uniqueKeysWithValues: problems.withLock { $0 }.map { ($0.key.rawValue, $0.value) })
    }
}
