import ArgumentParser
import Canary

/// `shepherd validate`: check policy and scenario files.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check rollout policies and simulation scenarios; print each problem with file, key and reason.",
        discussion: """
            A file with a top-level `duration` is read as a simulation scenario; any other file as a \
            rollout policy. Exits 0 when every file is valid, 2 otherwise.
            """
    )

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        var failures = 0
        for file in files {
            switch ConfigFileKind.check(file: file) {
            case .success(let summary):
                print("ok     \(file): \(summary)")
            case .failure(let error):
                failures += 1
                printError("error  \(error)")
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }
}
