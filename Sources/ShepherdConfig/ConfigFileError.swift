import Foundation

/// A policy, scenario or fault-scenario file that cannot be used, naming the file, the key path,
/// the reason and the line: the one error type of every YAML file Shepherd reads.
///
/// ```text
/// policies/fast.yaml: rollout.stepFactor: must be greater than 1 (got 1.0) (line 7)
/// ```
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given.
    public var file: String
    /// The dotted key path (`rollout.stepFactor`, `events[2].at`), empty for the whole file.
    public var keyPath: String
    /// What is wrong and, where it helps, what is allowed.
    public var reason: String
    /// The line in the file (1-based), when the YAML parser knows it.
    public var line: Int?

    /// Creates an error.
    public init(file: String, keyPath: String, reason: String, line: Int? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.reason = reason
        self.line = line
    }

    /// `file: keyPath: reason (line N)`, the key path and line left out when there are none.
    public var description: String {
        let place = keyPath.isEmpty ? file : "\(file): \(keyPath)"
        return "\(place): \(reason)" + (line.map { " (line \($0))" } ?? "")
    }
}

extension ConfigFileError {
    /// The largest policy or scenario file read: real ones are a few kilobytes, and a huge one
    /// (a wrong path, a log file) would take minutes and gigabytes to parse.
    public static let maximumFileBytes = 1 << 20

    /// Checks that `file` is a regular file of a sensible size before anything reads it.
    ///
    /// - Throws: a ``ConfigFileError`` naming the file: missing, a directory, or too large.
    public static func checkReadable(_ file: String) throws(ConfigFileError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigFileError(file: file, keyPath: "", reason: "does not exist")
        }
        if isDirectory.boolValue {
            throw ConfigFileError(file: file, keyPath: "", reason: "is a directory; name a .yaml file in it")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        if size > maximumFileBytes {
            throw ConfigFileError(
                file: file, keyPath: "",
                reason:
                    "is \(size / 1024) KiB; a policy or scenario is a few KiB (the limit is \(maximumFileBytes / 1024) KiB)"
            )
        }
    }

    /// Reads a configuration file whole.
    ///
    /// - Returns: the text and the file's name without folder or extension (the default id or name).
    /// - Throws: a ``ConfigFileError`` naming the file when it cannot be read.
    package static func read(_ file: String) throws(ConfigFileError) -> (text: String, stem: String) {
        try checkReadable(file)
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return (text, URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        } catch {
            throw ConfigFileError(file: file, keyPath: "", reason: "cannot be read (\(error.localizedDescription))")
        }
    }
}
