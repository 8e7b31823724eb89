public import Canary
import Upstream

extension MigrationRouter {
    /// Logs a failure that means a path is misconfigured (its key refused, its certificate not
    /// trusted, its host name not resolving) as an error with its cause, and keeps the cause for
    /// the status until the path answers again. A blip is logged at `info` by the caller; this
    /// is the operator's to fix, so it is loud.
    func alarmIfMisconfigured(_ error: any Error, class failureClass: FailureClass, path: TrafficPath, provider: String) {
        guard failureClass.isConfigurationProblem else { return }
        let cause: String
        if failureClass == .authError {
            cause = "\(path) upstream refused Shepherd's credentials: check its API key"
        } else {
            let detail = (error as? ProviderError)?.message ?? String(describing: error)
            cause = "\(path) path misconfigured: \(detail)"
        }
        let first = problems.withLock { problems in
            defer { problems[path] = cause }
            return problems[path] != cause
        }
        // Every failure is logged (each one is a caller failed over), the first of a kind with the
        // fix-it hint in the status too.
        logger.error(
            "\(cause)",
            metadata: ["path": "\(path)", "provider": "\(provider)", "class": "\(failureClass.rawValue)", "new": "\(first)"])
    }

    /// A path that answered is no longer misconfigured.
    func clearProblem(on path: TrafficPath) {
        problems.withLock { _ = $0.removeValue(forKey: path) }
    }

    /// The configuration problems seen on each path since it last answered (`relay` → cause).
    public var configurationProblems: [String: String] {
        Dictionary(uniqueKeysWithValues: problems.withLock { $0 }.map { ($0.key.rawValue, $0.value) })
    }
}
