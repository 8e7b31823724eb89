import Canary
public import ShepherdConfig
import Yams

extension FaultScenario {
    /// Loads a scenario from a YAML file.
    /// - Throws: ``ConfigFileError`` naming the file, the field, the reason and the line.
    public static func load(contentsOf path: String) throws(ConfigFileError) -> FaultScenario {
        let (text, _) = try ConfigFileError.read(path)
        return try parse(yaml: text, file: path)
    }

    /// Parses a scenario from YAML text, with the policies' reader and errors (`ShepherdConfig`).
    ///
    /// Keys: `name`, `defaults` (a phase applied under every phase) and `phases`
    /// (a list of phases); with no `phases`, the top-level keys are one phase.
    /// Phase keys: `at`, `latency` (`120ms` or `{p50Ms, p95Ms}`), `firstTokenDelay`,
    /// `chunkInterval`, `errorRate` (`{status: probability}`), `retryAfter`, `retryAfterFormat`
    /// (`seconds` | `http-date`, or `none`), `outage`, `outageStatus`, `resetRate`, `malformedRate`,
    /// `malformedBody` (`truncated` | `html` | `empty` | `other-flavor` | `no-choices`), `streamCutRate`,
    /// `streamCutAfterChunks`, `streamCutMode` (`abort` | `clean`), `stallRate`,
    /// `stallAfterChunks`, `stallDuration` (`forever` or a duration), `completionTokens`,
    /// `tokensPerChunk`, `cachedPromptFraction`, `answerText` (`generated`, `echo` or a fixed text),
    /// `models` (a list: the phase, latency and faults, applies only to requests for these models;
    /// others are answered at once). Durations are in ``DurationText``'s grammar (`250ms`, `2s`,
    /// `1.5m`, `1h`) or plain seconds.
    ///
    /// - Throws: the first of the ``problems(yaml:file:)``; unknown keys are errors.
    public static func parse(yaml: String, file: String = "<string>") throws(ConfigFileError) -> FaultScenario {
        try ConfigProblems.firstProblem { problems throws(ConfigFileError) in
            try FaultScenarioReader(problems: problems).scenario(YAMLMap.document(yaml, file: file))
        }
    }

    /// Every problem of a scenario's YAML, one per phase key; empty when it is valid.
    ///
    /// `shepherd validate` lists them all, where ``parse(yaml:file:)`` stops at the first.
    public static func problems(yaml: String, file: String = "<string>") -> [ConfigFileError] {
        ConfigProblems.all { problems throws(ConfigFileError) in
            try FaultScenarioReader(problems: problems).scenario(YAMLMap.document(yaml, file: file))
        }
    }
}

/// Walks a scenario document; each key's problem is recorded and reading goes on.
private struct FaultScenarioReader {
    let problems: ConfigProblems

    static let phaseKeys = [
        "at", "latency", "firstTokenDelay", "chunkInterval", "errorRate", "retryAfter", "retryAfterFormat", "outage",
        "outageStatus", "resetRate", "malformedRate", "malformedBody", "streamCutRate", "streamCutAfterChunks",
        "streamCutMode", "stallRate", "stallAfterChunks", "stallDuration", "completionTokens", "tokensPerChunk",
        "answerText", "cachedPromptFraction", "models",
    ]

    func scenario(_ root: YAMLMap) throws(ConfigFileError) -> FaultScenario {
        let topKeys = ["name", "defaults", "phases"]
        let name = try root.string("name") ?? "custom"
        var defaults = FaultScenario.Phase()
        if let map = problems.section(root, "defaults") { defaults = phase(map, base: defaults) }
        guard root.has("phases") else {
            // No phases: the top level is the one phase.
            problems.allowOnly(root, topKeys + Self.phaseKeys)
            var single = defaults
            for key in root.keys where Self.phaseKeys.contains(key) {
                problems.attempt { () throws(ConfigFileError) in try apply(key, root, to: &single) }
            }
            return FaultScenario(name: name, single)
        }
        problems.allowOnly(root, topKeys)
        let nodes = try root.sequence("phases") ?? []
        var phases: [FaultScenario.Phase] = []
        var previousAt: Duration?
        for (index, node) in nodes.enumerated() {
            let map = try YAMLMap(node, file: root.file, path: "phases[\(index)]")
            let before = problems.count
            let parsed = phase(map, base: defaults)
            // A phase whose keys had problems has no trustworthy `at` to order by.
            if problems.count == before {
                if let previousAt, parsed.at <= previousAt {
                    throw map.error("at", "phases must be in increasing order of `at`")
                }
                previousAt = parsed.at
            }
            phases.append(parsed)
        }
        if phases.isEmpty { throw root.error("phases", "must list at least one phase") }
        return FaultScenario(name: name, phases: phases)
    }

    func phase(_ map: YAMLMap, base: FaultScenario.Phase) -> FaultScenario.Phase {
        var phase = base
        phase.at = .zero
        for key in map.keys {
            problems.attempt { () throws(ConfigFileError) in try apply(key, map, to: &phase) }
        }
        return phase
    }

    func apply(_ key: String, _ map: YAMLMap, to phase: inout FaultScenario.Phase) throws(ConfigFileError) {
        func duration() throws(ConfigFileError) -> Duration {
            try map.duration(key, bareNumberIsSeconds: true) ?? .zero
        }
        func probability() throws(ConfigFileError) -> Double { try Self.probability(map, key) }
        func integer(minimum: Int) throws(ConfigFileError) -> Int {
            let value = try map.int(key) ?? minimum
            guard value >= minimum else { throw map.error(key, "must be at least \(minimum) (got \(value))") }
            return value
        }
        let text = map.node(key)?.scalar?.string
        switch key {
        case "at": phase.at = try duration()
        case "latency": phase.latency = try latency(map, key)
        case "firstTokenDelay": phase.firstTokenDelay = try duration()
        case "chunkInterval": phase.chunkInterval = try duration()
        case "errorRate": phase.errorRates = try errorRates(map, key)
        case "retryAfter": phase.retryAfter = text == "none" ? nil : try duration()
        case "retryAfterFormat":
            phase.retryAfterFormat = try map.enumeration(key, as: RetryAfterFormat.self) ?? .seconds
        case "outage": phase.outage = try map.bool(key) ?? false
        case "outageStatus":
            let status = try integer(minimum: 400)
            guard status <= 599 else { throw map.error(key, "must be an HTTP error status (400–599)") }
            phase.outageStatus = status
        case "resetRate": phase.resetRate = try probability()
        case "malformedRate": phase.malformedRate = try probability()
        case "malformedBody": phase.malformedBody = try map.enumeration(key, as: MalformedBody.self) ?? .truncated
        case "streamCutRate": phase.streamCutRate = try probability()
        case "streamCutAfterChunks": phase.streamCutAfterChunks = try integer(minimum: 0)
        case "streamCutMode": phase.streamCutMode = try map.enumeration(key, as: StreamCutMode.self) ?? .abort
        case "stallRate": phase.stallRate = try probability()
        case "stallAfterChunks": phase.stallAfterChunks = try integer(minimum: 0)
        case "stallDuration": phase.stallDuration = text == "forever" ? nil : try duration()
        case "completionTokens": phase.completionTokens = try integer(minimum: 1)
        case "answerText":
            guard let text = try map.string(key), !text.isEmpty else {
                throw map.error(key, "must be `generated`, `echo` or the text to answer with")
            }
            phase.answerText = text == "generated" ? .generated : text == "echo" ? .echo : .fixed(text)
        case "tokensPerChunk": phase.tokensPerChunk = try integer(minimum: 1)
        case "cachedPromptFraction": phase.cachedPromptFraction = try probability()
        case "models": phase.models = try models(map, key)
        default: throw map.error(key, "unknown key (allowed here: \(Self.phaseKeys.joined(separator: ", ")))")
        }
        if phase.resetRate + phase.malformedRate + phase.errorRates.values.reduce(0, +) > 1.000_001 {
            throw map.error(key, "resetRate, malformedRate and errorRate add up to more than 1")
        }
    }

    func errorRates(_ map: YAMLMap, _ key: String) throws(ConfigFileError) -> [Int: Double] {
        guard let rates = try map.map(key) else { return [:] }
        var result: [Int: Double] = [:]
        for statusText in rates.keys {
            guard let status = Int(statusText), (400...599).contains(status) else {
                throw rates.error(statusText, "must be an HTTP error status (400–599)")
            }
            result[status] = try Self.probability(rates, statusText)
        }
        if result.values.reduce(0, +) > 1.000_001 { throw map.error(key, "the rates add up to more than 1") }
        return result
    }

    func latency(_ map: YAMLMap, _ key: String) throws(ConfigFileError) -> LatencyDistribution {
        if map.node(key)?.scalar != nil { return .fixed(try map.duration(key, bareNumberIsSeconds: true) ?? .zero) }
        guard let latency = try map.map(key) else { return .zero }
        try latency.allowOnly(["p50Ms", "p95Ms", "fixedMs"])
        func milliseconds(_ name: String) throws(ConfigFileError) -> Duration? {
            guard let value = try latency.double(name) else { return nil }
            guard value >= 0 else { throw latency.error(name, "must be at least 0 (got \(value))") }
            return .milliseconds(value)
        }
        let fixed = try milliseconds("fixedMs")
        guard let p50 = try milliseconds("p50Ms") ?? fixed else { throw map.error(key, "needs p50Ms (or fixedMs)") }
        let p95 = try milliseconds("p95Ms") ?? fixed ?? p50
        if p95 < p50 { throw latency.error("p95Ms", "must not be below p50Ms") }
        return LatencyDistribution(p50: p50, p95: p95)
    }

    func models(_ map: YAMLMap, _ key: String) throws(ConfigFileError) -> Set<String> {
        guard let items = try map.sequence(key), !items.isEmpty else {
            throw map.error(key, "must be a non-empty list of model names")
        }
        var models: Set<String> = []
        for (index, item) in items.enumerated() {
            guard let name = item.scalar?.string, !name.isEmpty else {
                throw map.error("\(key)[\(index)]", "must be a model name")
            }
            models.insert(name)
        }
        return models
    }

    static func probability(_ map: YAMLMap, _ key: String) throws(ConfigFileError) -> Double {
        let value = try map.double(key) ?? 0
        guard (0...1).contains(value) else {
            throw map.error(key, "must be a probability between 0 and 1, got \(value)")
        }
        return value
    }
}
