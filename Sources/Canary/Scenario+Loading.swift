import Foundation
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
    public static func parse(yaml: String, file: String, defaultName: String = "scenario") throws(ConfigFileError)
        -> Scenario
    {
        let root = try YAMLMap.document(yaml, file: file)
        try root.allowOnly(["name", "description", "duration", "traffic", "legacy", "relay", "events"])
        guard let duration = try root.duration("duration") else {
            throw root.error("duration", "is required (how long to simulate, e.g. 90m)")
        }
        guard duration > .zero, duration <= .seconds(7 * 86_400) else {
            throw root.error("duration", "must be longer than zero and at most 7 days")
        }
        var scenario = Scenario(
            name: try root.string("name") ?? defaultName, description: try root.string("description"),
            duration: duration)

        if let traffic = try root.map("traffic") {
            try traffic.allowOnly(["requestsPerSecond", "keyedShare", "users"])
            if let v = try traffic.double("requestsPerSecond") {
                try checkRate(v, traffic, "requestsPerSecond")
                scenario.traffic.requestsPerSecond = v
            }
            if let v = try traffic.double("keyedShare") {
                try checkProbability(v, traffic, "keyedShare")
                scenario.traffic.keyedShare = v
            }
            if let v = try traffic.int("users") {
                guard v >= 1 else { throw traffic.error("users", "must be at least 1 (got \(v))") }
                scenario.traffic.users = v
            }
        }
        if let legacy = try root.map("legacy") { scenario.legacy = try pathChange(legacy).applied(to: scenario.legacy) }
        if let relay = try root.map("relay") { scenario.relay = try pathChange(relay).applied(to: scenario.relay) }
        for path in ["legacy", "relay"] {
            let behaviour = path == "legacy" ? scenario.legacy : scenario.relay
            guard behaviour.p95 >= behaviour.p50 else {
                throw root.error("\(path).latency.p95", "must not be below p50")
            }
        }

        if let events = try root.sequence("events") {
            var parsed: [Event] = []
            for (index, node) in events.enumerated() {
                let event = try YAMLMap(node, file: file, path: "events[\(index)]")
                try event.allowOnly(["at", "note", "traffic", "legacy", "relay", "rollbackSwitch"])
                guard let at = try event.duration("at") else { throw event.error("at", "is required (when, e.g. 40m)") }
                guard at <= duration else {
                    throw event.error("at", "is after the end of the scenario (\(at.shortDescription) > \(duration.shortDescription))")
                }
                var change = Event(at: at, note: try event.string("note"), rollbackSwitch: try event.bool("rollbackSwitch"))
                if let traffic = try event.map("traffic") {
                    try traffic.allowOnly(["requestsPerSecond", "keyedShare"])
                    if let v = try traffic.double("requestsPerSecond") {
                        try checkRate(v, traffic, "requestsPerSecond")
                        change.requestsPerSecond = v
                    }
                    if let v = try traffic.double("keyedShare") {
                        try checkProbability(v, traffic, "keyedShare")
                        change.keyedShare = v
                    }
                }
                if let legacy = try event.map("legacy") { change.legacy = try pathChange(legacy) }
                if let relay = try event.map("relay") { change.relay = try pathChange(relay) }
                parsed.append(change)
            }
            scenario.events = parsed.sorted { $0.at < $1.at }
        }
        return scenario
    }

    private static func pathChange(_ map: YAMLMap) throws(ConfigFileError) -> PathChange {
        try map.allowOnly(["successRate", "latency", "failures"])
        var change = PathChange()
        if let v = try map.double("successRate") {
            try checkProbability(v, map, "successRate")
            change.successRate = v
        }
        if let latency = try map.map("latency") {
            try latency.allowOnly(["p50", "p95"])
            change.p50 = try latency.duration("p50")
            change.p95 = try latency.duration("p95")
            if let p50 = change.p50, p50 <= .zero { throw latency.error("p50", "must be longer than zero") }
            if let p50 = change.p50, let p95 = change.p95, p95 < p50 { throw latency.error("p95", "must not be below p50") }
        }
        if let failures = try map.map("failures") {
            let allowed = FailureClass.allCases.map(\.rawValue)
            try failures.allowOnly(allowed)
            var mix: [FailureClass: Double] = [:]
            for key in failures.keys {
                let weight = try failures.double(key) ?? 0
                guard weight >= 0 else { throw failures.error(key, "must not be negative (got \(weight))") }
                mix[FailureClass(rawValue: key)!] = weight
            }
            guard mix.values.contains(where: { $0 > 0 }) else {
                throw map.error("failures", "needs at least one class with a positive weight")
            }
            change.failureMix = mix
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
