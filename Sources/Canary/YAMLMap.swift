import Yams

/// A strict reader over one YAML mapping that reports errors with the file and key path.
///
/// Policies and scenarios are operator input: an unknown key is probably a
/// typo that would silently leave a default in force, so it is an error, and
/// so is a wrong type or an impossible value.
package struct YAMLMap {
    package let file: String
    package let path: String
    private let entries: [String: Node]
    package let keys: [String]

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
            throw ConfigFileError(file: file, keyPath: path, reason: "must be a mapping of keys to values")
        }
        self.file = file
        self.path = path
        var entries: [String: Node] = [:]
        var keys: [String] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigFileError(file: file, keyPath: path, reason: "keys must be strings")
            }
            if entries[name] != nil {
                throw ConfigFileError(file: file, keyPath: Self.join(path, name), reason: "appears twice")
            }
            entries[name] = value
            keys.append(name)
        }
        self.entries = entries
        self.keys = keys
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    package func error(_ key: String?, _ reason: String) -> ConfigFileError {
        ConfigFileError(file: file, keyPath: key.map { Self.join(path, $0) } ?? path, reason: reason)
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

    package func duration(_ key: String) throws(ConfigFileError) -> Duration? {
        guard let node = entries[key] else { return nil }
        guard let text = node.scalar?.string else { throw error(key, "must be a duration such as 500ms, 30s, 2m or 1h") }
        switch DurationText.parse(text) {
        case .success(let duration): return duration
        case .failure(let reason): throw error(key, reason.description)
        }
    }

    package func sequence(_ key: String) throws(ConfigFileError) -> [Node]? {
        guard let node = entries[key] else { return nil }
        guard let sequence = node.sequence else { throw error(key, "must be a list") }
        return Array(sequence)
    }

    package func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) throws(ConfigFileError) -> E?
    where E.RawValue == String {
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

/// Durations as operators write them: `250ms`, `30s`, `2m`, `1h30m`.
public enum DurationText {
    /// Parses a duration.
    ///
    /// - Returns: the duration, or a reason naming what is wrong.
    public static func parse(_ text: String) -> Result<Duration, DurationTextError> {
        let trimmed = text.trimmingSpaces()
        if trimmed.hasPrefix("-") { return .failure(.init("must not be negative (got \(text))")) }
        if trimmed.isEmpty { return .failure(.init("must be a duration such as 500ms, 30s, 2m or 1h (got an empty value)")) }
        var total = Duration.zero
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard let value = Double(number), value.isFinite else { return false }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return false
            }
            total += .milliseconds(Int64((value * scale * 1000).rounded()))
            number = ""
            unit = ""
            sawPart = true
            return true
        }
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return .failure(bad(text)) } }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return .failure(bad(text)) }
                unit.append(character)
            } else {
                return .failure(bad(text))
            }
        }
        if unit.isEmpty, !number.isEmpty {
            return .failure(.init("needs a unit: ms, s, m or h (got \(text))"))
        }
        guard flush(), sawPart else { return .failure(bad(text)) }
        return .success(total)
    }

    private static func bad(_ text: String) -> DurationTextError {
        .init("must be a duration such as 500ms, 30s, 2m or 1h30m (got \(text))")
    }
}

/// Why a duration could not be read.
public struct DurationTextError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
