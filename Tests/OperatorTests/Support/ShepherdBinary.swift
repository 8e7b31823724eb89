import Foundation

/// The built `shepherd` executable, run as a child process.
enum ShepherdBinary {
    /// `swift test` builds the executable into the same products directory as the test binary:
    /// look beside the running executable and a few folders up (on macOS the test binary sits
    /// inside a bundle).
    static func url() -> URL? {
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0])]
        if let main = Bundle.main.executableURL { starts.append(main) }
        starts.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        for start in starts {
            var directory = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent("shepherd")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                    !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    typealias Run = Spawn.Outcome

    /// Runs `shepherd arguments…` with `environment` (added to a minimal one) and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        guard let executable = url() else { throw BinaryMissing() }
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for (key, value) in environment { env[key] = value }
        return try await Spawn.run(executable.path, arguments, environment: env)
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        var description: String {
            "the shepherd executable was not found next to the test binary (swift test builds it)"
        }
    }
}
