import Foundation

/// An executable of this package (`shepherd`, `StoreCrashProbe`), built by `swift test` into the
/// same products directory as the test binary.
public enum ProductBinary {
    /// The executable named `name`: looked for beside the running test binary and a few folders up
    /// (on macOS the test binary sits inside a bundle). `nil` when it was not built.
    public static func url(named name: String) -> URL? {
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0])]
        if let main = Bundle.main.executableURL { starts.append(main) }
        starts.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        for start in starts {
            var directory = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                    !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// The `shepherd` executable.
    public static var shepherd: URL? { url(named: "shepherd") }

    /// Runs `shepherd arguments…` with `environment` (added to a minimal one: `PATH` and a temporary
    /// `HOME`), in `directory` when given, and waits for it.
    public static func runShepherd(
        _ arguments: [String], environment: [String: String] = [:], in directory: String? = nil
    ) async throws -> ProcessRunner.Outcome {
        guard let executable = shepherd else { throw Missing(name: "shepherd") }
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for (key, value) in environment { env[key] = value }
        return try await ProcessRunner.run(executable.path, arguments, environment: env, directory: directory)
    }

    /// The executable was not built next to the test binary.
    public struct Missing: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "the \(name) executable was not found next to the test binary (swift test builds it)"
        }
    }
}
