import Foundation

/// A policy or scenario file that cannot be used, naming the file, the key path and the reason.
///
/// ```text
/// policies/fast.yaml: rollout.stepFactor: must be greater than 1 (got 1)
/// ```
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given.
    public var file: String
    /// The dotted key path (`rollout.stepFactor`, `events[2].at`), empty for the whole file.
    public var keyPath: String
    /// What is wrong and, where it helps, what is allowed.
    public var reason: String

    /// Creates an error.
    public init(file: String, keyPath: String, reason: String) {
        self.file = file
        self.keyPath = keyPath
        self.reason = reason
    }

    public var description: String {
        keyPath.isEmpty ? "\(file): \(reason)" : "\(file): \(keyPath): \(reason)"
    }
}

extension ConfigFileError {
    /// Reads a configuration file whole.
    ///
    /// - Returns: the text and the file's name without folder or extension (the default id or name).
    /// - Throws: a ``ConfigFileError`` naming the file when it cannot be read.
    static func read(_ file: String) throws(ConfigFileError) -> (text: String, stem: String) {
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return (text, URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        } catch {
            throw ConfigFileError(file: file, keyPath: "", reason: "cannot be read (\(error.localizedDescription))")
        }
    }
}
