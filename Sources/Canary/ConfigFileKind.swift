/// The kinds of file `shepherd validate` understands, told apart by their content.
public enum ConfigFileKind: String, Sendable {
    case policy
    case scenario

    /// Loads and validates a file of whichever kind it is.
    ///
    /// A file with a top-level `duration:` key is a simulation scenario; anything else is a policy.
    /// - Returns: a one-line summary of what was read, or the first problem found.
    public static func check(file: String) -> Result<String, ConfigFileError> {
        do throws(ConfigFileError) {
            let (text, stem) = try ConfigFileError.read(file)
            let isScenario = text.split(separator: "\n").contains { $0.hasPrefix("duration:") }
            if isScenario {
                let scenario = try Scenario.parse(yaml: text, file: file, defaultName: stem)
                return .success(
                    "scenario \(scenario.name), \(scenario.duration.shortDescription), "
                        + "\(scenario.traffic.requestsPerSecond) req/s, \(scenario.events.count) events")
            }
            let policy = try RolloutPolicy.parse(yaml: text, file: file, defaultID: stem)
            let ladder = policy.ramp.ladder.map(formatPercent).joined(separator: " → ")
            return .success("policy \(policy.rolloutID), ladder \(ladder), on failure \(policy.ramp.onFailure.rawValue)")
        } catch {
            return .failure(error)
        }
    }
}
