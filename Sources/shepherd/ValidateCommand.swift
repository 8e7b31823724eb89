import ArgumentParser
import Canary
import Foundation
import MockProvider

/// `shepherd validate`: check policy, simulation-scenario and fault-scenario files.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check rollout policies and scenarios; print each problem with file, key and reason.",
        discussion: """
            A file with a top-level `phases:` key is a mock-provider fault scenario (scenarios/faults/), \
            one with a top-level `duration:` key a simulation scenario, and any other file a rollout \
            policy. Exits 0 when every file is valid, 2 otherwise.
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
            case .failure(let problem):
                failures += 1
                printError("error  \(problem)")
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }

    private func check(_ file: String) -> Result<String, any Error> {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard text.split(separator: "\n").contains(where: { $0.hasPrefix("phases:") }) else {
            return ConfigFileKind.check(file: file).mapError { $0 }
        }
        do {
            let scenario = try FaultScenario.load(contentsOf: file)
            return .success("fault scenario \(scenario.name), \(scenario.phases.count) phases")
        } catch {
            return .failure(error)
        }
    }
}
