public import Canary

/// The kinds of file `shepherd validate` understands, told apart by their content.
public enum ConfigFileKind: String, Sendable {
    case policy
    case scenario

    /// Loads and validates a file of whichever kind it is.
    ///
    /// A file with a top-level `duration:` key is a simulation scenario; anything else is a policy.
    /// - Returns: a one-line summary of what was read, or every problem found.
    public static func check(file: String) -> Result<String, ConfigFileErrors> {
        let text: String
        let stem: String
        do {
            (text, stem) = try ConfigFileError.read(file)
        } catch {
            return .failure(ConfigFileErrors([error]))
        }
        let isScenario = text.split(separator: "\n").contains { $0.hasPrefix("duration:") }
        if isScenario {
            let problems = Scenario.problems(yaml: text, file: file, defaultName: stem)
            guard problems.isEmpty, let scenario = try? Scenario.parse(yaml: text, file: file, defaultName: stem) else {
                return .failure(ConfigFileErrors(problems))
            }
            return .success(
                "scenario \(scenario.name), \(DurationText.format(scenario.duration)), "
                    + "\(scenario.traffic.requestsPerSecond) req/s, \(scenario.events.count) events")
        }
        let problems = RolloutPolicy.problems(yaml: text, file: file, defaultID: stem)
        guard problems.isEmpty, let policy = try? RolloutPolicy.parse(yaml: text, file: file, defaultID: stem) else {
            return .failure(ConfigFileErrors(problems))
        }
        let ladder = policy.ramp.ladder.map(formatPercent).joined(separator: " → ")
        var summary = "policy \(policy.rolloutID), ladder \(ladder), on failure \(policy.ramp.onFailure.rawValue)"
        if let shadow = policy.shadow {
            summary =
                "policy \(policy.rolloutID), shadow first (\(shadow.minPairs) pairs at \(shadow.minAgreement) agreement), "
                + "ladder \(ladder), on failure \(policy.ramp.onFailure.rawValue)"
        }
        if let bake = policy.ramp.bake {
            summary += ", bake \(formatPercent(bake.holdback)) held back for \(DurationText.format(bake.duration))"
        }
        return .success(summary)
    }
}

/// All the problems of one file, one per line when printed.
public struct ConfigFileErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in the order of the file.
    public var errors: [ConfigFileError]

    /// Creates a value.
    public init(_ errors: [ConfigFileError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
