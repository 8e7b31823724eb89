import Canary
import Yams

/// A strict reader over one YAML mapping that reports errors with the file, key path and line:
/// the one YAML reader of rollout policies, simulation scenarios and fault scenarios.
///
/// Policies and scenarios are operator input: an unknown key is probably a
/// typo that would silently leave a default in force, so it is an error, and
/// so is a wrong type or an impossible value.
package struct YAMLMap {
    package let file: String
    package let path: String
    private let entries: [String: Node]
    package let keys: [String]
    /// The line of the mapping itself (1-based), when the parser knows it.
    private let line: Int?

    /// Parses a whole document, which must be a mapping.
    package static func document(_ text: String, file: String) throws(ConfigFileError) -> YAMLMap {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigFileError(file: file, keyPath: "", reason: "not valid YAML: \(error)")
        }
        guard let node else { throw ConfigFileError(file: file, keyPath: "", reason: "the file is empty") }
        return try YAMLMap(node, file: file, path: "")
    }

    package init(_ node: Node, file: String, path: String) throws(ConfigFileError) {
        guard let mapping = node.mapping else {
            throw ConfigFileError(
                file: file, keyPath: path, reason: "must be a mapping of keys to values", line: node.mark?.line)
        }
        self.file = file
        self.path = path
        var entries: [String: Node] = [:]
        var keys: [String] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigFileError(file: file, keyPath: path, reason: "keys must be strings", line: key.mark?.line)
            }
            if entries[name] != nil {
                throw ConfigFileError(
                    file: file, keyPath: Self.join(path, name), reason: "appears twice", line: key.mark?.line)
            }
            entries[name] = value
            keys.append(name)
        }
        self.entries = entries
        self.keys = keys
        self.line = node.mark?.line
    }

    package static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// An error at `key` of this mapping (at the mapping itself when `key` is nil), with its line.
    package func error(_ key: String?, _ reason: String) -> ConfigFileError {
        ConfigFileError(
            file: file, keyPath: key.map { Self.join(path, $0) } ?? path, reason: reason,
            line: key.flatMap { entries[$0]?.mark?.line } ?? line)
    }

    /// Rejects keys outside `allowed`.
    package func allowOnly(_ allowed: [String]) throws(ConfigFileError) {
        for key in keys where !allowed.contains(key) {
            throw error(key, "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
        }
    }

    package func has(_ key: String) -> Bool { entries[key] != nil }

    package func node(_ key: String) -> Node? { entries[key] }

    package func map(_ key: String) throws(ConfigFileError) -> YAMLMap? {
        guard let node = entries[key] else { return nil }
        return try YAMLMap(node, file: file, path: Self.join(path, key))
    }

    package func string(_ key: String) throws(ConfigFileError) -> String? {
        guard let node = entries[key] else { return nil }
        guard let scalar = node.scalar else { throw error(key, "must be a string") }
        return scalar.string
    }

    package func double(_ key: String) throws(ConfigFileError) -> Double? {
        guard let node = entries[key] else { return nil }
        guard node.scalar != nil, let value = node.float, value.isFinite else {
            throw error(key, "must be a number (got \(Self.show(node)))")
        }
        return value
    }

    package func int(_ key: String) throws(ConfigFileError) -> Int? {
        guard let node = entries[key] else { return nil }
        guard node.scalar != nil, let value = node.int else {
            throw error(key, "must be a whole number (got \(Self.show(node)))")
        }
        return value
    }

    package func bool(_ key: String) throws(ConfigFileError) -> Bool? {
        guard let node = entries[key] else { return nil }
        guard node.scalar != nil, let value = node.bool else {
            throw error(key, "must be true or false (got \(Self.show(node)))")
        }
        return value
    }

    /// A duration in ``DurationText``'s grammar; `bareNumberIsSeconds` lets a plain number mean seconds.
    package func duration(_ key: String, bareNumberIsSeconds: Bool = false) throws(ConfigFileError) -> Duration? {
        guard let node = entries[key] else { return nil }
        guard let text = node.scalar?.string else {
            throw error(key, "must be a duration such as \(DurationText.examples)")
        }
        switch DurationText.parse(text, bareNumberIsSeconds: bareNumberIsSeconds) {
        case .success(let duration): return duration
        case .failure(let reason): throw error(key, reason.description)
        }
    }

    package func sequence(_ key: String) throws(ConfigFileError) -> [Node]? {
        guard let node = entries[key] else { return nil }
        guard let sequence = node.sequence else { throw error(key, "must be a list") }
        return Array(sequence)
    }

    package func enumeration<E: RawRepresentable & CaseIterable>(
        _ key: String, as type: E.Type
    ) throws(ConfigFileError) -> E? where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "must be one of \(allowed) (got \(text))")
        }
        return value
    }

    static func show(_ node: Node) -> String {
        if let scalar = node.scalar { return "\"\(scalar.string)\"" }
        if node.mapping != nil { return "a mapping" }
        return "a list"
    }
}
