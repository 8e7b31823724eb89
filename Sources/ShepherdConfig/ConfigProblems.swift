/// Every problem of one policy or scenario file, collected instead of stopping at the first, so
/// that `shepherd validate` can list them all in one run.
///
/// A reader runs each key's checks in ``attempt(_:)``: a key that fails is recorded and left at
/// its default, and reading goes on with the next key. Only a document that cannot be read at
/// all (not YAML, not a mapping) stops early.
package final class ConfigProblems {
    /// The problems in the order they were found.
    package private(set) var errors: [ConfigFileError] = []

    package init() {}

    /// How many problems have been found so far.
    package var count: Int { errors.count }

    /// Records a problem.
    package func record(_ error: ConfigFileError) {
        errors.append(error)
    }

    /// Runs one key's checks, recording the problem it throws.
    package func attempt(_ body: () throws(ConfigFileError) -> Void) {
        do {
            try body()
        } catch {
            errors.append(error)
        }
    }

    /// Records every key of `map` outside `allowed` (where ``YAMLMap/allowOnly(_:)`` stops at the first).
    package func allowOnly(_ map: YAMLMap, _ allowed: [String]) {
        for key in map.keys where !allowed.contains(key) {
            record(map.error(key, "unknown key (allowed here: \(allowed.joined(separator: ", ")))"))
        }
    }

    /// Runs a reader and returns what it read, or throws the first problem it recorded or threw:
    /// what a loader that stops at the first problem reports (`parse`).
    package static func firstProblem<T>(
        of read: (ConfigProblems) throws(ConfigFileError) -> T
    ) throws(ConfigFileError) -> T {
        let problems = ConfigProblems()
        let result = Result { () throws(ConfigFileError) -> T in try read(problems) }
        if let first = problems.errors.first { throw first }
        return try result.get()
    }

    /// Runs a reader and returns every problem it recorded, and the one it threw last (`problems`).
    package static func all<T>(of read: (ConfigProblems) throws(ConfigFileError) -> T) -> [ConfigFileError] {
        let problems = ConfigProblems()
        do {
            _ = try read(problems)
        } catch {
            problems.record(error)
        }
        return problems.errors
    }
}

extension ConfigProblems {
    /// The mapping under `key` of `map`, or nil when it is absent or (recorded) not a mapping.
    package func section(_ map: YAMLMap, _ key: String) -> YAMLMap? {
        do {
            return try map.map(key)
        } catch {
            record(error)
            return nil
        }
    }
}
