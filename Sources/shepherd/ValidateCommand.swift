import ArgumentParser
import Canary
import Foundation
import MockProvider
import ShepherdConfig

/// `shepherd validate`: check policy, simulation-scenario and fault-scenario files.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check rollout policies and scenarios; print each problem with file, key and reason.",
        discussion: """
            A file in a `faults/` folder, or with a top-level `phases:` key, or a `name:` but no \
            `duration:`, is a mock-provider fault scenario; one with a top-level `duration:` key a \
            simulation scenario; any other file a rollout policy. Every problem of a file is listed, \
            one per line. Exits 0 when every file is valid, 2 otherwise.
            """
    )

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        var failures = 0
        for file in files {
            switch check(file) {
            case .success(let summary):
                print("ok     \(file): \(summary)")
            case .failure(let problems):
                failures += 1
                for problem in problems.errors { printError("error  \(problem)") }
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }

    private func check(_ file: String) -> Result<String, ConfigFileErrors> {
        do {
            try ConfigFileError.checkReadable(file)
        } catch {
            return .failure(ConfigFileErrors([error]))
        }
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let topKeys = Set(
            text.split(separator: "\n").compactMap { line -> Substring? in
                guard let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") else { return nil }
                return line[..<colon]
            })
        // Fault scenarios live in scenarios/faults/ and have a `name` but no `duration`; policies have no `name`.
        let isFault =
            file.contains("faults/") || topKeys.contains("phases")
            || (topKeys.contains("name") && !topKeys.contains("duration"))
        guard isFault else {
            return ConfigFileKind.check(file: file)
        }
        let problems = FaultScenario.problems(yaml: text, file: file)
        guard problems.isEmpty, let scenario = try? FaultScenario.parse(yaml: text, file: file) else {
            return .failure(ConfigFileErrors(problems))
        }
        return .success("fault scenario \(scenario.name), \(scenario.phases.count) phases")
    }
}
