import Resilience

extension MigrationRouter {
    /// The rollout's status with this router's circuit breakers and configuration problems: a
    /// projection of the controller's status, the breakers' states and the paths' problems.
    public func status() -> RolloutStatus {
        var states: [String: String] = [:]
        for (key, breaker) in breakers.all { states[key.description] = "\(breaker.state)" }
        var status = controller.status(breakers: states)
        let problems = configurationProblems
        status.problems = problems.isEmpty ? nil : problems
        return status
    }

    /// The configuration problems seen on each path since it last answered (`relay` → cause).
    public var configurationProblems: [String: String] { caller.problems.all }
}
