public import Canary
import Yams

extension Scenario {
    /// Reads and validates a scenario file.
    ///
    /// - Throws: ``ConfigFileError`` naming the file, the key path and the reason.
    public static func load(file: String) throws(ConfigFileError) -> Scenario {
        let (text, stem) = try ConfigFileError.read(file)
        return try parse(yaml: text, file: file, defaultName: stem)
    }

    /// Parses and validates scenario YAML.
    ///
    /// - Throws: the first of the ``problems(yaml:file:defaultName:)``.
    public static func parse(yaml: String, file: String, defaultName: String = "scenario") throws(ConfigFileError)
        -> Scenario
    {
        try ConfigProblems.firstProblem { problems throws(ConfigFileError) in
            try read(yaml: yaml, file: file, defaultName: defaultName, problems: problems)
        }
    }

    /// Every problem of scenario YAML, in the order of its keys; empty when it is valid.
    public static func problems(yaml: String, file: String, defaultName: String = "scenario") -> [ConfigFileError] {
        ConfigProblems.all { problems throws(ConfigFileError) in
            try read(yaml: yaml, file: file, defaultName: defaultName, problems: problems)
        }
    }

    /// Reads a scenario, recording each key's problem and going on; throws only when the
    /// document is not a YAML mapping.
    static func read(yaml: String, file: String, defaultName: String, problems: ConfigProblems) throws(ConfigFileError)
        -> Scenario
    {
        let root = try YAMLMap.document(yaml, file: file)
        problems.allowOnly(root, ["name", "description", "duration", "traffic", "legacy", "relay", "events"])
        var duration = Duration.seconds(3600)
        problems.attempt { () throws(ConfigFileError) in
            guard let value = try root.duration("duration") else {
                throw root.error("duration", "is required (how long to simulate, e.g. 90m)")
            }
            guard value > .zero, value <= .seconds(7 * 86_400) else {
                throw root.error("duration", "must be longer than zero and at most 7 days")
            }
            duration = value
        }
        var scenario = Scenario(name: defaultName, duration: duration)
        problems.attempt { () throws(ConfigFileError) in scenario.name = try root.string("name") ?? defaultName }
        problems.attempt { () throws(ConfigFileError) in scenario.description = try root.string("description") }

        if let traffic = problems.section(root, "traffic") {
            problems.allowOnly(traffic, ["requestsPerSecond", "keyedShare", "users", "models"])
            if let models = problems.section(traffic, "models") {
                scenario.traffic.models = modelMix(models, problems)
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try traffic.double("requestsPerSecond") {
                    try checkRate(v, traffic, "requestsPerSecond")
                    scenario.traffic.requestsPerSecond = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try traffic.double("keyedShare") {
                    try checkProbability(v, traffic, "keyedShare")
                    scenario.traffic.keyedShare = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try traffic.int("users") {
                    guard v >= 1 else { throw traffic.error("users", "must be at least 1 (got \(v))") }
                    scenario.traffic.users = v
                }
            }
        }
        if let legacy = problems.section(root, "legacy") {
            scenario.legacy = pathChange(legacy, problems).applied(to: scenario.legacy)
        }
        if let relay = problems.section(root, "relay") {
            scenario.relay = pathChange(relay, problems).applied(to: scenario.relay)
        }
        for path in ["legacy", "relay"] {
            let behaviour = path == "legacy" ? scenario.legacy : scenario.relay
            if behaviour.p95 < behaviour.p50 {
                problems.record(root.error("\(path).latency.p95", "must not be below p50"))
            }
        }

        var events: [Node] = []
        problems.attempt { () throws(ConfigFileError) in events = try root.sequence("events") ?? [] }
        var parsed: [Event] = []
        for (index, node) in events.enumerated() {
            problems.attempt { () throws(ConfigFileError) in
                let event = try YAMLMap(node, file: file, path: "events[\(index)]")
                problems.allowOnly(event, ["at", "note", "traffic", "legacy", "relay", "rollbackSwitch"])
                guard let at = try event.duration("at") else { throw event.error("at", "is required (when, e.g. 40m)") }
                guard at <= duration else {
                    throw event.error(
                        "at",
                        "is after the end of the scenario "
                            + "(\(DurationText.format(at)) > \(DurationText.format(duration)))")
                }
                var change = Event(
                    at: at, note: try event.string("note"), rollbackSwitch: try event.bool("rollbackSwitch"))
                if let traffic = problems.section(event, "traffic") {
                    problems.allowOnly(traffic, ["requestsPerSecond", "keyedShare"])
                    problems.attempt { () throws(ConfigFileError) in
                        if let v = try traffic.double("requestsPerSecond") {
                            try checkRate(v, traffic, "requestsPerSecond")
                            change.requestsPerSecond = v
                        }
                    }
                    problems.attempt { () throws(ConfigFileError) in
                        if let v = try traffic.double("keyedShare") {
                            try checkProbability(v, traffic, "keyedShare")
                            change.keyedShare = v
                        }
                    }
                }
                if let legacy = problems.section(event, "legacy") { change.legacy = pathChange(legacy, problems) }
                if let relay = problems.section(event, "relay") { change.relay = pathChange(relay, problems) }
                parsed.append(change)
            }
        }
        scenario.events = parsed.sorted { $0.at < $1.at }
        return scenario
    }

    /// `{model: weight, …}`, in file order: weights not negative, at least one positive.
    private static func modelMix(_ map: YAMLMap, _ problems: ConfigProblems) -> [ModelShare] {
        var mix: [ModelShare] = []
        for model in map.keys {
            problems.attempt { () throws(ConfigFileError) in
                guard !trimmingWhitespace(model).isEmpty else {
                    throw map.error(model, "a model name must not be empty")
                }
                let weight = try map.double(model) ?? 0
                guard weight >= 0, weight.isFinite else {
                    throw map.error(model, "must not be negative (got \(weight))")
                }
                mix.append(ModelShare(model, weight))
            }
        }
        if !mix.contains(where: { $0.weight > 0 }) {
            problems.record(map.error(nil, "needs at least one model with a positive weight"))
        }
        return mix
    }

    private static func pathChange(_ map: YAMLMap, _ problems: ConfigProblems, perModel: Bool = false) -> PathChange {
        problems.allowOnly(
            map,
            perModel
                ? ["successRate", "latency", "failures"]
                : ["successRate", "latency", "failures", "mix", "models", "disagreement"])
        var change = PathChange()
        if !perModel, let mix = problems.section(map, "mix") {
            change.mix = modelMix(mix, problems)
        }
        if !perModel, let models = problems.section(map, "models") {
            for model in models.keys {
                guard let entry = problems.section(models, model) else { continue }
                change.models[model] = pathChange(entry, problems, perModel: true)
            }
        }
        problems.attempt { () throws(ConfigFileError) in
            if let v = try map.double("successRate") {
                try checkProbability(v, map, "successRate")
                change.successRate = v
            }
        }
        problems.attempt { () throws(ConfigFileError) in
            if let v = try map.double("disagreement") {
                try checkProbability(v, map, "disagreement")
                change.disagreement = v
            }
        }
        if let latency = problems.section(map, "latency") {
            problems.allowOnly(latency, ["p50", "p95"])
            problems.attempt { () throws(ConfigFileError) in
                let p50 = try latency.duration("p50")
                let p95 = try latency.duration("p95")
                if let p50, p50 <= .zero { throw latency.error("p50", "must be longer than zero") }
                if let p50, let p95, p95 < p50 { throw latency.error("p95", "must not be below p50") }
                change.p50 = p50
                change.p95 = p95
            }
        }
        if let failures = problems.section(map, "failures") {
            let allowed = FailureClass.allCases.map(\.rawValue)
            problems.allowOnly(failures, allowed)
            var mix: [FailureClass: Double] = [:]
            for key in failures.keys {
                guard let failureClass = FailureClass(rawValue: key) else { continue }
                problems.attempt { () throws(ConfigFileError) in
                    let weight = try failures.double(key) ?? 0
                    guard weight >= 0 else { throw failures.error(key, "must not be negative (got \(weight))") }
                    mix[failureClass] = weight
                }
            }
            if mix.values.contains(where: { $0 > 0 }) {
                change.failureMix = mix
            } else {
                problems.record(map.error("failures", "needs at least one class with a positive weight"))
            }
        }
        return change
    }

    private static func checkProbability(_ v: Double, _ map: YAMLMap, _ key: String) throws(ConfigFileError) {
        guard v >= 0, v <= 1 else { throw map.error(key, "must be between 0 and 1 (got \(v))") }
    }

    private static func checkRate(_ v: Double, _ map: YAMLMap, _ key: String) throws(ConfigFileError) {
        guard v >= 0, v <= 10_000 else { throw map.error(key, "must be between 0 and 10000 (got \(v))") }
    }
}
