public import Canary
import Foundation
import ShepherdConfig

/// The repository's own files, found from this file's location: the committed policies and
/// scenarios the tests load, and the paths of the others they read (the example configuration,
/// fault scenarios, fuzz corpus).
///
/// ```swift
/// let policy = try Repository.policy("default")   // policies/default.yaml
/// let example = Repository.path("shepherd.example.yaml")
/// ```
public enum Repository {
    /// The repository's root folder (where `Package.swift` is).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The absolute path of `relative`, a path from the repository's root.
    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// `policies/NAME.yaml`, loaded.
    public static func policy(_ name: String) throws -> RolloutPolicy {
        try RolloutPolicy.load(file: path("policies/\(name).yaml"))
    }

    /// `scenarios/NAME.yaml`, loaded.
    public static func scenario(_ name: String) throws -> Scenario {
        try Scenario.load(file: path("scenarios/\(name).yaml"))
    }
}
