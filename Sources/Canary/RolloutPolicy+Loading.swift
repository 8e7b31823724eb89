import Foundation
import Yams

extension RolloutPolicy {
    /// Reads and validates a policy file.
    ///
    /// - Throws: ``ConfigFileError`` naming the file, the key path and the reason for an
    ///   unreadable file, invalid YAML, an unknown key, a wrong type or an impossible value.
    public static func load(file: String) throws(ConfigFileError) -> RolloutPolicy {
        let (text, stem) = try ConfigFileError.read(file)
        return try parse(yaml: text, file: file, defaultID: stem)
    }

    /// Parses and validates policy YAML.
    ///
    /// - Parameters:
    ///   - yaml: the text.
    ///   - file: the name to report in errors.
    ///   - defaultID: the rollout id when the file gives none.
    public static func parse(yaml: String, file: String, defaultID: String = "default") throws(ConfigFileError)
        -> RolloutPolicy
    {
        let root = try YAMLMap.document(yaml, file: file)
        try root.allowOnly(["rollout", "health", "prices", "chains", "hedging"])
        var policy = RolloutPolicy(rolloutID: defaultID)

        if let rollout = try root.map("rollout") {
            try rollout.allowOnly([
                "id", "initialPercent", "stepFactor", "maxPercent", "evaluationInterval", "minHoldTime",
                "minSamplesPerStep", "onFailure", "maxFailedChecks",
            ])
            if let id = try rollout.string("id") {
                guard !id.trimmingSpaces().isEmpty else { throw rollout.error("id", "must not be empty") }
                policy.rolloutID = id
            }
            var ramp = policy.ramp
            if let v = try rollout.double("initialPercent") {
                guard v > 0, v <= 100 else { throw rollout.error("initialPercent", "must be above 0 and at most 100 (got \(v))") }
                ramp.initialPercent = v
            }
            if let v = try rollout.double("stepFactor") {
                guard v > 1 else { throw rollout.error("stepFactor", "must be greater than 1 (got \(v))") }
                ramp.stepFactor = v
            }
            if let v = try rollout.double("maxPercent") {
                guard v > 0, v <= 100 else { throw rollout.error("maxPercent", "must be above 0 and at most 100 (got \(v))") }
                ramp.maxPercent = v
            }
            guard ramp.initialPercent <= ramp.maxPercent else {
                throw rollout.error(
                    "initialPercent",
                    "must not exceed maxPercent (\(ramp.initialPercent) > \(ramp.maxPercent))")
            }
            if let v = try rollout.duration("evaluationInterval") {
                guard v > .zero else { throw rollout.error("evaluationInterval", "must be longer than zero") }
                ramp.evaluationInterval = v
            }
            if let v = try rollout.duration("minHoldTime") { ramp.minHoldTime = v }
            if let v = try rollout.int("minSamplesPerStep") {
                guard v >= 0 else { throw rollout.error("minSamplesPerStep", "must not be negative (got \(v))") }
                ramp.minSamplesPerStep = v
            }
            if let v = try rollout.enumeration("onFailure", as: RampPolicy.FailureAction.self) { ramp.onFailure = v }
            if let v = try rollout.int("maxFailedChecks") {
                guard v >= 1 else { throw rollout.error("maxFailedChecks", "must be at least 1 (got \(v))") }
                ramp.maxFailedChecks = v
            }
            policy.ramp = ramp
        }

        if let health = try root.map("health") {
            try health.allowOnly([
                "window", "minSamples", "tolerance", "absoluteFloor", "confidence", "latency", "clientErrorExcess",
            ])
            var scorer = policy.health
            if let v = try health.int("minSamples") {
                guard v >= 1 else { throw health.error("minSamples", "must be at least 1 (got \(v))") }
                scorer.minSamples = v
            }
            if let v = try health.double("tolerance") {
                guard v >= 0, v < 1 else { throw health.error("tolerance", "must be in [0, 1) (got \(v))") }
                scorer.tolerance = v
            }
            if let v = try health.double("absoluteFloor") {
                guard v >= 0, v <= 1 else { throw health.error("absoluteFloor", "must be in [0, 1] (got \(v))") }
                scorer.absoluteFloor = v
            }
            if let v = try health.double("confidence") {
                guard v > 0, v < 1 else { throw health.error("confidence", "must be strictly between 0 and 1 (got \(v))") }
                scorer.confidence = v
            }
            // How far the relay's share of 4xx answers may exceed legacy's (null turns the check off).
            if health.node("clientErrorExcess")?.null != nil {
                scorer.clientErrorExcess = nil
            } else if let v = try health.double("clientErrorExcess") {
                guard v >= 0, v < 1 else {
                    throw health.error("clientErrorExcess", "must be in [0, 1) (got \(v)); null turns the check off")
                }
                scorer.clientErrorExcess = v
            }
            if let latency = try health.map("latency") {
                try latency.allowOnly(["p95Ratio", "maxP95"])
                if latency.node("p95Ratio")?.null != nil {
                    scorer.p95Ratio = nil
                } else if let v = try latency.double("p95Ratio") {
                    guard v >= 1 else { throw latency.error("p95Ratio", "must be at least 1 (got \(v)); null turns the check off") }
                    scorer.p95Ratio = v
                }
                if latency.node("maxP95")?.null != nil {
                    scorer.maxP95 = nil
                } else if let v = try latency.duration("maxP95") {
                    guard v > .zero else { throw latency.error("maxP95", "must be longer than zero; null turns the check off") }
                    scorer.maxP95 = v
                }
            }
            if let window = try health.map("window") {
                try window.allowOnly(["buckets", "bucketWidth"])
                var shape = policy.window
                if let v = try window.int("buckets") {
                    guard (1...10_000).contains(v) else { throw window.error("buckets", "must be between 1 and 10000 (got \(v))") }
                    shape.bucketCount = v
                }
                if let v = try window.duration("bucketWidth") {
                    guard v > .zero else { throw window.error("bucketWidth", "must be longer than zero") }
                    shape.bucketWidth = v
                }
                policy.window = shape
            }
            policy.health = scorer
        }
        if policy.window.span < policy.ramp.evaluationInterval {
            throw ConfigFileError(
                file: file, keyPath: "health.window",
                reason: "spans \(policy.window.span.shortDescription), shorter than rollout.evaluationInterval "
                    + "(\(policy.ramp.evaluationInterval.shortDescription)): evaluations would miss traffic")
        }

        if let prices = try root.map("prices") {
            var table: [String: ModelPrice] = [:]
            for model in prices.keys {
                guard let entry = try prices.map(model) else { continue }
                try entry.allowOnly(["input", "output", "cachedInput"])
                guard let input = try entry.double("input") else { throw entry.error("input", "is required ($ per million input tokens)") }
                guard let output = try entry.double("output") else { throw entry.error("output", "is required ($ per million output tokens)") }
                let cached = try entry.double("cachedInput")
                for (key, value) in [("input", input), ("output", output), ("cachedInput", cached ?? 0)] where value < 0 {
                    throw entry.error(key, "must not be negative (got \(value))")
                }
                table[model] = ModelPrice(inputPerMTok: input, outputPerMTok: output, cachedInputPerMTok: cached)
            }
            policy.prices = PriceTable.defaults.merging(PriceTable(table))
        }

        if let chains = try root.map("chains") {
            var result: [String: [String]] = [:]
            for tier in chains.keys {
                guard let items = try chains.sequence(tier), !items.isEmpty else {
                    throw chains.error(tier, "must be a non-empty list of model names")
                }
                var models: [String] = []
                for (index, item) in items.enumerated() {
                    guard let name = item.scalar?.string, !name.isEmpty else {
                        throw chains.error("\(tier)[\(index)]", "must be a model name")
                    }
                    guard !models.contains(name) else { throw chains.error("\(tier)[\(index)]", "\(name) is listed twice") }
                    models.append(name)
                }
                result[tier] = models
            }
            policy.chains = result
        }

        if let hedging = try root.map("hedging") {
            try hedging.allowOnly(["after", "fallback"])
            let fallback = try hedging.duration("fallback")
            if let fallback, fallback <= .zero { throw hedging.error("fallback", "must be above zero") }
            guard let after = try hedging.string("after") else {
                throw hedging.error("after", "is required: a duration such as 2s, or p95 (the relay's observed p95)")
            }
            if after == "p95" {
                policy.hedging = HedgingSettings(delay: .relayP95(fallback: fallback ?? .seconds(2)))
            } else {
                guard fallback == nil else { throw hedging.error("fallback", "applies only with `after: p95`") }
                guard let delay = try hedging.duration("after"), delay > .zero else {
                    throw hedging.error("after", "must be above zero")
                }
                policy.hedging = HedgingSettings(delay: .fixed(delay))
            }
        }
        return policy
    }
}
