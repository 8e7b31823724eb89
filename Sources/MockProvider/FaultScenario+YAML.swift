import Yams

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension FaultScenario {
    /// Why a scenario file could not be loaded: the file, the field and the reason.
    ///
    /// ```
    /// scenarios/faults/bad-day.yaml: phases[1].errorRate.503: must be a probability between 0 and 1, got 1.5 (line 7)
    /// ```
    public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The file (or `<string>`).
        public var file: String
        /// The field's path, e.g. `phases[1].errorRate.503`.
        public var field: String
        /// What is wrong.
        public var reason: String
        /// The line in the file, when known.
        public var line: Int?

        public var description: String {
            "\(file): \(field.isEmpty ? "(document)" : field): \(reason)" + (line.map { " (line \($0))" } ?? "")
        }
    }

    /// Loads a scenario from a YAML file.
    /// - Throws: ``LoadError`` naming the file, the field and the reason.
    public static func load(contentsOf path: String) throws -> FaultScenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError(file: path, field: "", reason: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses a scenario from YAML text.
    ///
    /// Keys: `name`, `defaults` (a phase applied under every phase) and `phases`
    /// (a list of phases); with no `phases`, the top-level keys are one phase.
    /// Phase keys: `at`, `latency` (`120ms` or `{p50Ms, p95Ms}`), `firstTokenDelay`,
    /// `chunkInterval`, `errorRate` (`{status: probability}`), `retryAfter`, `retryAfterFormat`
    /// (`seconds` | `http-date`, or `none`), `outage`, `outageStatus`, `resetRate`, `malformedRate`,
    /// `malformedBody` (`truncated` | `html` | `empty` | `other-flavor` | `no-choices`), `streamCutRate`, `streamCutAfterChunks`, `streamCutMode` (`abort` | `clean`), `stallRate`,
    /// `stallAfterChunks`, `stallDuration` (`forever` or a duration), `completionTokens`,
    /// `tokensPerChunk`, `cachedPromptFraction`, `answerText` (`generated`, `echo` or a fixed text), `models` (a list: the phase, latency and faults,
    /// applies only to requests for these models; others are answered at once). Durations are `250ms`, `2s`, `1.5m`, `1h` or plain seconds.
    ///
    /// - Throws: ``LoadError`` naming the file, the field and the reason; unknown keys are errors.
    public static func parse(yaml: String, file: String = "<string>") throws -> FaultScenario {
        let reader = ScenarioReader(file: file)
        let scenario: FaultScenario
        do {
            scenario = try read(yaml: yaml, file: file, reader: reader)
        } catch {
            // A problem recorded earlier in the file comes first.
            throw reader.found.errors.first ?? error
        }
        if let first = reader.found.errors.first { throw first }
        return scenario
    }

    /// Every problem of a scenario's YAML, one per phase key; empty when it is valid.
    ///
    /// `shepherd validate` lists them all, where ``parse(yaml:file:)`` stops at the first.
    public static func problems(yaml: String, file: String = "<string>") -> [LoadError] {
        let reader = ScenarioReader(file: file)
        do {
            _ = try read(yaml: yaml, file: file, reader: reader)
        } catch let error as LoadError {
            reader.found.errors.append(error)
        } catch {
            reader.found.errors.append(LoadError(file: file, field: "", reason: "\(error)"))
        }
        return reader.found.errors
    }

    private static func read(yaml: String, file: String, reader: ScenarioReader) throws -> FaultScenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw LoadError(file: file, field: "", reason: "the document is empty")
            }
            root = node
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(file: file, field: "", reason: "not valid YAML: \(error)")
        }
        return try reader.scenario(root)
    }
}

/// Walks a scenario document, keeping the path of the field being read for error messages.
private struct ScenarioReader {
    let file: String
    /// The problems of keys that were skipped so that reading could go on.
    let found = Found()

    final class Found {
        var errors: [FaultScenario.LoadError] = []
    }

    /// Runs one key's reading, recording its problem instead of stopping.
    func attempt(_ body: () throws -> Void) {
        do {
            try body()
        } catch let error as FaultScenario.LoadError {
            found.errors.append(error)
        } catch {
            found.errors.append(FaultScenario.LoadError(file: file, field: "", reason: "\(error)"))
        }
    }

    static let phaseKeys: Set<String> = [
        "at", "latency", "firstTokenDelay", "chunkInterval", "errorRate", "retryAfter", "retryAfterFormat", "outage",
        "outageStatus", "resetRate", "malformedRate", "malformedBody", "streamCutRate", "streamCutAfterChunks", "streamCutMode",
        "stallRate", "stallAfterChunks", "stallDuration", "completionTokens", "tokensPerChunk", "answerText",
        "cachedPromptFraction", "models",
    ]

    func fail(_ field: String, _ reason: String, _ node: Node?) -> FaultScenario.LoadError {
        FaultScenario.LoadError(file: file, field: field, reason: reason, line: node?.mark?.line)
    }

    func mapping(_ node: Node, _ field: String) throws -> [(key: String, value: Node)] {
        guard let mapping = node.mapping else { throw fail(field, "must be a mapping", node) }
        return try mapping.map { pair in
            guard let key = pair.key.scalar?.string else { throw fail(field, "keys must be scalars", pair.key) }
            return (key, pair.value)
        }
    }

    func scenario(_ root: Node) throws -> FaultScenario {
        let entries = try mapping(root, "")
        let topKeys: Set<String> = ["name", "defaults", "phases"]
        var name = "custom"
        var defaults = FaultScenario.Phase()
        if let node = entries.first(where: { $0.key == "name" })?.value {
            guard let text = node.scalar?.string else { throw fail("name", "must be a string", node) }
            name = text
        }
        if let node = entries.first(where: { $0.key == "defaults" })?.value {
            defaults = try phase(node, "defaults", base: FaultScenario.Phase())
        }
        guard let phasesNode = entries.first(where: { $0.key == "phases" })?.value else {
            // No phases: the top level is the one phase.
            for (key, node) in entries where !topKeys.contains(key) && !Self.phaseKeys.contains(key) {
                found.errors.append(fail(key, "unknown key (expected name, defaults, phases or a phase key)", node))
            }
            let phaseEntries = entries.filter { !topKeys.contains($0.key) && Self.phaseKeys.contains($0.key) }
            var single = defaults
            for (key, node) in phaseEntries { attempt { try apply(key, node, key, to: &single) } }
            return FaultScenario(name: name, single)
        }
        for (key, node) in entries where !topKeys.contains(key) {
            found.errors.append(fail(key, "unknown key (expected name, defaults or phases)", node))
        }
        guard let sequence = phasesNode.sequence else { throw fail("phases", "must be a list", phasesNode) }
        var phases: [FaultScenario.Phase] = []
        var previousAt: Duration?
        for (index, node) in sequence.enumerated() {
            let field = "phases[\(index)]"
            let before = found.errors.count
            let parsed = try phase(node, field, base: defaults)
            // A phase whose keys had problems has no trustworthy `at` to order by.
            if found.errors.count == before {
                if let previousAt, parsed.at <= previousAt {
                    throw fail(field + ".at", "phases must be in increasing order of `at`", node)
                }
                previousAt = parsed.at
            }
            phases.append(parsed)
        }
        if phases.isEmpty { throw fail("phases", "must list at least one phase", phasesNode) }
        return FaultScenario(name: name, phases: phases)
    }

    func phase(_ node: Node, _ field: String, base: FaultScenario.Phase) throws -> FaultScenario.Phase {
        var phase = base
        phase.at = .zero
        for (key, value) in try mapping(node, field) {
            attempt { try apply(key, value, field + "." + key, to: &phase) }
        }
        return phase
    }

    func apply(_ key: String, _ node: Node, _ field: String, to phase: inout FaultScenario.Phase) throws {
        switch key {
        case "at": phase.at = try duration(node, field)
        case "latency": phase.latency = try latency(node, field)
        case "firstTokenDelay": phase.firstTokenDelay = try duration(node, field)
        case "chunkInterval": phase.chunkInterval = try duration(node, field)
        case "errorRate":
            var rates: [Int: Double] = [:]
            for (statusText, value) in try mapping(node, field) {
                guard let status = Int(statusText), (400...599).contains(status) else {
                    throw fail(field + "." + statusText, "must be an HTTP error status (400–599)", node)
                }
                rates[status] = try probability(value, field + "." + statusText)
            }
            if rates.values.reduce(0, +) > 1.000_001 {
                throw fail(field, "the rates add up to more than 1", node)
            }
            phase.errorRates = rates
        case "retryAfter":
            if node.scalar?.string == "none" {
                phase.retryAfter = nil
            } else {
                phase.retryAfter = try duration(node, field)
            }
        case "retryAfterFormat":
            guard let text = node.scalar?.string, let format = RetryAfterFormat(rawValue: text) else {
                throw fail(field, "must be `seconds` or `http-date`", node)
            }
            phase.retryAfterFormat = format
        case "outage": phase.outage = try bool(node, field)
        case "outageStatus":
            let status = try integer(node, field)
            guard (400...599).contains(status) else { throw fail(field, "must be an HTTP error status", node) }
            phase.outageStatus = status
        case "resetRate": phase.resetRate = try probability(node, field)
        case "malformedRate": phase.malformedRate = try probability(node, field)
        case "malformedBody":
            guard let text = node.scalar?.string, let body = MalformedBody(rawValue: text) else {
                let names = MalformedBody.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                throw fail(field, "must be one of \(names)", node)
            }
            phase.malformedBody = body
        case "streamCutRate": phase.streamCutRate = try probability(node, field)
        case "streamCutAfterChunks": phase.streamCutAfterChunks = try integer(node, field, minimum: 0)
        case "streamCutMode":
            guard let text = node.scalar?.string, let mode = StreamCutMode(rawValue: text) else {
                throw fail(field, "must be `abort` or `clean`", node)
            }
            phase.streamCutMode = mode
        case "stallRate": phase.stallRate = try probability(node, field)
        case "stallAfterChunks": phase.stallAfterChunks = try integer(node, field, minimum: 0)
        case "stallDuration":
            if node.scalar?.string == "forever" {
                phase.stallDuration = nil
            } else {
                phase.stallDuration = try duration(node, field)
            }
        case "completionTokens": phase.completionTokens = try integer(node, field, minimum: 1)
        case "answerText":
            guard let text = node.scalar?.string, !text.isEmpty else {
                throw fail(field, "must be `generated`, `echo` or the text to answer with", node)
            }
            phase.answerText = text == "generated" ? .generated : text == "echo" ? .echo : .fixed(text)
        case "tokensPerChunk": phase.tokensPerChunk = try integer(node, field, minimum: 1)
        case "cachedPromptFraction": phase.cachedPromptFraction = try probability(node, field)
        case "models":
            guard let items = node.sequence, !items.isEmpty else {
                throw fail(field, "must be a non-empty list of model names", node)
            }
            var models: Set<String> = []
            for (index, item) in items.enumerated() {
                guard let name = item.scalar?.string, !name.isEmpty else {
                    throw fail("\(field)[\(index)]", "must be a model name", item)
                }
                models.insert(name)
            }
            phase.models = models
        default:
            throw fail(field, "unknown key (expected one of \(Self.phaseKeys.sorted().joined(separator: ", ")))", node)
        }
        if phase.resetRate + phase.malformedRate + phase.errorRates.values.reduce(0, +) > 1.000_001 {
            throw fail(field, "resetRate, malformedRate and errorRate add up to more than 1", node)
        }
    }

    func latency(_ node: Node, _ field: String) throws -> LatencyDistribution {
        if node.scalar != nil { return .fixed(try duration(node, field)) }
        var p50: Duration?
        var p95: Duration?
        for (key, value) in try mapping(node, field) {
            switch key {
            case "p50Ms": p50 = .milliseconds(try number(value, field + ".p50Ms", minimum: 0))
            case "p95Ms": p95 = .milliseconds(try number(value, field + ".p95Ms", minimum: 0))
            case "fixedMs":
                let fixed = Duration.milliseconds(try number(value, field + ".fixedMs", minimum: 0))
                p50 = fixed
                p95 = fixed
            default: throw fail(field + "." + key, "unknown key (expected p50Ms, p95Ms or fixedMs)", value)
            }
        }
        guard let p50 else { throw fail(field, "needs p50Ms (or fixedMs)", node) }
        let upper = p95 ?? p50
        if upper < p50 { throw fail(field + ".p95Ms", "must not be below p50Ms", node) }
        return LatencyDistribution(p50: p50, p95: upper)
    }

    func duration(_ node: Node, _ field: String) throws -> Duration {
        guard let text = node.scalar?.string, let value = Self.parseDuration(text) else {
            throw fail(field, "must be a duration such as 250ms, 2s, 1.5m or 1h", node)
        }
        return value
    }

    static func parseDuration(_ raw: String) -> Duration? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0, number.isFinite else { return nil }
            return .nanoseconds(Int64((number * scale * 1e9).rounded()))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    func probability(_ node: Node, _ field: String) throws -> Double {
        guard let text = node.scalar?.string, let value = Double(text) else {
            throw fail(field, "must be a number", node)
        }
        guard (0...1).contains(value) else {
            throw fail(field, "must be a probability between 0 and 1, got \(text)", node)
        }
        return value
    }

    func number(_ node: Node, _ field: String, minimum: Double) throws -> Double {
        guard let text = node.scalar?.string, let value = Double(text), value.isFinite else {
            throw fail(field, "must be a number", node)
        }
        guard value >= minimum else { throw fail(field, "must be at least \(minimum)", node) }
        return value
    }

    func integer(_ node: Node, _ field: String, minimum: Int = .min) throws -> Int {
        guard let text = node.scalar?.string, let value = Int(text) else {
            throw fail(field, "must be an integer", node)
        }
        guard value >= minimum else { throw fail(field, "must be at least \(minimum)", node) }
        return value
    }

    func bool(_ node: Node, _ field: String) throws -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(field, "must be true or false", node)
        }
    }
}

extension Duration {
    /// A duration in milliseconds from a `Double`.
    static func milliseconds(_ value: Double) -> Duration {
        .nanoseconds(Int64((value * 1e6).rounded()))
    }
}
