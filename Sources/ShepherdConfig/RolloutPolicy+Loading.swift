public import Canary
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
    /// - Throws: the first of the ``problems(yaml:file:defaultID:)``.
    public static func parse(yaml: String, file: String, defaultID: String = "default") throws(ConfigFileError)
        -> RolloutPolicy
    {
        try ConfigProblems.firstProblem { problems throws(ConfigFileError) in
            try read(yaml: yaml, file: file, defaultID: defaultID, problems: problems)
        }
    }

    /// Every problem of policy YAML, in the order of the file's keys; empty when it is valid.
    ///
    /// `shepherd validate` lists them all, where ``parse(yaml:file:defaultID:)`` stops at the first.
    public static func problems(yaml: String, file: String, defaultID: String = "default") -> [ConfigFileError] {
        ConfigProblems.all { problems throws(ConfigFileError) in
            try read(yaml: yaml, file: file, defaultID: defaultID, problems: problems)
        }
    }

    /// Reads a policy, recording each key's problem in `problems` and leaving that key at its
    /// default; throws only when the document is not a YAML mapping at all.
    static func read(yaml: String, file: String, defaultID: String, problems: ConfigProblems) throws(ConfigFileError)
        -> RolloutPolicy
    {
        let root = try YAMLMap.document(yaml, file: file)
        problems.allowOnly(root, ["rollout", "health", "prices", "chains", "hedging", "shadow"])
        var policy = RolloutPolicy(rolloutID: defaultID)

        if let rollout = problems.section(root, "rollout") {
            problems.allowOnly(
                rollout,
                [
                    "id", "initialPercent", "stepFactor", "maxPercent", "evaluationInterval", "minHoldTime",
                    "minSamplesPerStep", "onFailure", "maxFailedChecks", "bake",
                ])
            let before = problems.count
            var ramp = policy.ramp
            problems.attempt { () throws(ConfigFileError) in
                if let id = try rollout.string("id") {
                    guard !trimmingWhitespace(id).isEmpty else { throw rollout.error("id", "must not be empty") }
                    policy.rolloutID = id
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.double("initialPercent") {
                    guard v > 0, v <= 100 else {
                        throw rollout.error("initialPercent", "must be above 0 and at most 100 (got \(v))")
                    }
                    ramp.initialPercent = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.double("stepFactor") {
                    guard v > 1 else { throw rollout.error("stepFactor", "must be greater than 1 (got \(v))") }
                    ramp.stepFactor = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.double("maxPercent") {
                    guard v > 0, v <= 100 else {
                        throw rollout.error("maxPercent", "must be above 0 and at most 100 (got \(v))")
                    }
                    ramp.maxPercent = v
                }
            }
            if problems.count == before, ramp.initialPercent > ramp.maxPercent {
                problems.record(
                    rollout.error(
                        "initialPercent", "must not exceed maxPercent (\(ramp.initialPercent) > \(ramp.maxPercent))"))
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.duration("evaluationInterval") {
                    guard v > .zero else { throw rollout.error("evaluationInterval", "must be longer than zero") }
                    ramp.evaluationInterval = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.duration("minHoldTime") { ramp.minHoldTime = v }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.int("minSamplesPerStep") {
                    guard v >= 0 else { throw rollout.error("minSamplesPerStep", "must not be negative (got \(v))") }
                    ramp.minSamplesPerStep = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.enumeration("onFailure", as: RampPolicy.FailureAction.self) {
                    ramp.onFailure = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try rollout.int("maxFailedChecks") {
                    guard v >= 1 else { throw rollout.error("maxFailedChecks", "must be at least 1 (got \(v))") }
                    ramp.maxFailedChecks = v
                }
            }
            if let bake = problems.section(rollout, "bake") {
                problems.allowOnly(bake, ["holdback", "duration"])
                var settings = RampPolicy.Bake()
                problems.attempt { () throws(ConfigFileError) in
                    if let v = try bake.double("holdback") {
                        guard v > 0, v < ramp.maxPercent else {
                            throw bake.error("holdback", "must be above 0 and below maxPercent (got \(v))")
                        }
                        settings.holdback = v
                    }
                }
                problems.attempt { () throws(ConfigFileError) in
                    if let v = try bake.duration("duration") {
                        guard v > .zero else { throw bake.error("duration", "must be longer than zero") }
                        settings.duration = v
                    }
                }
                ramp.bake = settings
            }
            policy.ramp = ramp
        }

        if let shadow = problems.section(root, "shadow") {
            problems.allowOnly(
                shadow, ["sampleRate", "minPairs", "minAgreement", "textSimilarity", "maxSpendPerHour", "keepExamples"])
            var settings = ShadowPolicy()
            problems.attempt { () throws(ConfigFileError) in
                if let v = try shadow.double("sampleRate") {
                    guard v > 0, v <= 1 else {
                        throw shadow.error("sampleRate", "must be above 0 and at most 1 (got \(v))")
                    }
                    settings.sampleRate = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try shadow.int("minPairs") {
                    guard v >= 1 else { throw shadow.error("minPairs", "must be at least 1 (got \(v))") }
                    settings.minPairs = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try shadow.double("minAgreement") {
                    guard v >= 0, v <= 1 else { throw shadow.error("minAgreement", "must be in [0, 1] (got \(v))") }
                    settings.minAgreement = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try shadow.double("textSimilarity") {
                    guard v >= 0, v <= 1 else { throw shadow.error("textSimilarity", "must be in [0, 1] (got \(v))") }
                    settings.textSimilarity = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if shadow.node("maxSpendPerHour")?.null != nil {
                    settings.maxSpendPerHour = nil
                } else if let v = try shadow.double("maxSpendPerHour") {
                    guard v > 0 else {
                        throw shadow.error("maxSpendPerHour", "must be above 0 dollars; null lifts the cap (got \(v))")
                    }
                    settings.maxSpendPerHour = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try shadow.bool("keepExamples") { settings.keepExamples = v }
            }
            policy.shadow = settings
        }

        let beforeHealth = problems.count
        if let health = problems.section(root, "health") {
            problems.allowOnly(
                health,
                [
                    "window", "minSamples", "tolerance", "absoluteFloor", "confidence", "latency", "clientErrorExcess",
                    "perModel",
                ])
            var scorer = policy.health
            problems.attempt { () throws(ConfigFileError) in
                if let v = try health.int("minSamples") {
                    guard v >= 1 else { throw health.error("minSamples", "must be at least 1 (got \(v))") }
                    scorer.minSamples = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try health.double("tolerance") {
                    guard v >= 0, v < 1 else { throw health.error("tolerance", "must be in [0, 1) (got \(v))") }
                    scorer.tolerance = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try health.double("absoluteFloor") {
                    guard v >= 0, v <= 1 else { throw health.error("absoluteFloor", "must be in [0, 1] (got \(v))") }
                    scorer.absoluteFloor = v
                }
            }
            problems.attempt { () throws(ConfigFileError) in
                if let v = try health.double("confidence") {
                    guard v > 0, v < 1 else {
                        throw health.error("confidence", "must be strictly between 0 and 1 (got \(v))")
                    }
                    scorer.confidence = v
                }
            }
            // How far the relay's share of 4xx answers may exceed legacy's (null turns the check off).
            problems.attempt { () throws(ConfigFileError) in
                if health.node("clientErrorExcess")?.null != nil {
                    scorer.clientErrorExcess = nil
                } else if let v = try health.double("clientErrorExcess") {
                    guard v >= 0, v < 1 else {
                        throw health.error(
                            "clientErrorExcess", "must be in [0, 1) (got \(v)); null turns the check off")
                    }
                    scorer.clientErrorExcess = v
                }
            }
            // Verdicts per model (null: judge the pooled rate only).
            if health.node("perModel")?.null != nil {
                scorer.perModel = nil
            } else if let perModel = problems.section(health, "perModel") {
                scorer.perModel = readPerModel(perModel, problems)
            }
            if let latency = problems.section(health, "latency") {
                problems.allowOnly(latency, ["p95Ratio", "maxP95"])
                problems.attempt { () throws(ConfigFileError) in
                    if latency.node("p95Ratio")?.null != nil {
                        scorer.p95Ratio = nil
                    } else if let v = try latency.double("p95Ratio") {
                        guard v >= 1 else {
                            throw latency.error("p95Ratio", "must be at least 1 (got \(v)); null turns the check off")
                        }
                        scorer.p95Ratio = v
                    }
                }
                problems.attempt { () throws(ConfigFileError) in
                    if latency.node("maxP95")?.null != nil {
                        scorer.maxP95 = nil
                    } else if let v = try latency.duration("maxP95") {
                        guard v > .zero else {
                            throw latency.error("maxP95", "must be longer than zero; null turns the check off")
                        }
                        scorer.maxP95 = v
                    }
                }
            }
            if let window = problems.section(health, "window") {
                problems.allowOnly(window, ["buckets", "bucketWidth"])
                var shape = policy.window
                problems.attempt { () throws(ConfigFileError) in
                    if let v = try window.int("buckets") {
                        guard (1...10_000).contains(v) else {
                            throw window.error("buckets", "must be between 1 and 10000 (got \(v))")
                        }
                        shape.bucketCount = v
                    }
                }
                problems.attempt { () throws(ConfigFileError) in
                    if let v = try window.duration("bucketWidth") {
                        guard v > .zero else { throw window.error("bucketWidth", "must be longer than zero") }
                        shape.bucketWidth = v
                    }
                }
                policy.window = shape
            }
            policy.health = scorer
            // The window counts enough models per bucket for the top N to be chosen from its totals.
            if let top = scorer.perModel?.top {
                policy.window.modelLimit = max(WindowConfiguration.defaultModelLimit, 4 * top)
            }
        }
        if problems.count == beforeHealth, policy.window.span < policy.ramp.evaluationInterval {
            problems.record(
                ConfigFileError(
                    file: file, keyPath: "health.window",
                    reason: "spans \(DurationText.format(policy.window.span)), shorter than rollout.evaluationInterval "
                        + "(\(DurationText.format(policy.ramp.evaluationInterval))): evaluations would miss traffic"))
        }

        if let prices = problems.section(root, "prices") {
            var table: [String: ModelPrice] = [:]
            for model in prices.keys {
                guard let entry = problems.section(prices, model) else { continue }
                problems.allowOnly(entry, ["input", "output", "cachedInput"])
                problems.attempt { () throws(ConfigFileError) in
                    guard let input = try entry.double("input") else {
                        throw entry.error("input", "is required ($ per million input tokens)")
                    }
                    guard let output = try entry.double("output") else {
                        throw entry.error("output", "is required ($ per million output tokens)")
                    }
                    let cached = try entry.double("cachedInput")
                    for (key, value) in [("input", input), ("output", output), ("cachedInput", cached ?? 0)]
                    where value < 0 {
                        throw entry.error(key, "must not be negative (got \(value))")
                    }
                    table[model] = ModelPrice(inputPerMTok: input, outputPerMTok: output, cachedInputPerMTok: cached)
                }
            }
            policy.prices = table
        }

        if let chains = problems.section(root, "chains") {
            var result: [String: [String]] = [:]
            for tier in chains.keys {
                problems.attempt { () throws(ConfigFileError) in
                    guard let items = try chains.sequence(tier), !items.isEmpty else {
                        throw chains.error(tier, "must be a non-empty list of model names")
                    }
                    var models: [String] = []
                    for (index, item) in items.enumerated() {
                        guard let name = item.scalar?.string, !name.isEmpty else {
                            problems.record(chains.error("\(tier)[\(index)]", "must be a model name"))
                            continue
                        }
                        guard !models.contains(name) else {
                            problems.record(chains.error("\(tier)[\(index)]", "\(name) is listed twice"))
                            continue
                        }
                        models.append(name)
                    }
                    result[tier] = models
                }
            }
            policy.chains = result
        }

        if let hedging = problems.section(root, "hedging") {
            problems.allowOnly(hedging, ["after", "fallback"])
            problems.attempt { () throws(ConfigFileError) in try readHedging(hedging, into: &policy) }
        }
        return policy
    }

    /// `health.perModel:`: how many models are judged apart and on how many calls.
    private static func readPerModel(_ map: YAMLMap, _ problems: ConfigProblems) -> HealthScorer.Configuration.PerModel
    {
        problems.allowOnly(map, ["top", "minSamples"])
        var perModel = HealthScorer.Configuration.PerModel()
        problems.attempt { () throws(ConfigFileError) in
            if let v = try map.int("top") {
                guard (1...100).contains(v) else {
                    throw map.error(
                        "top", "must be between 1 and 100 (got \(v)); `perModel: null` turns verdicts per model off")
                }
                perModel.top = v
            }
        }
        problems.attempt { () throws(ConfigFileError) in
            if let v = try map.int("minSamples") {
                guard v >= 1 else { throw map.error("minSamples", "must be at least 1 (got \(v))") }
                perModel.minSamples = v
            }
        }
        return perModel
    }

    /// `hedging:`: a fixed delay, or the relay's p95 with a fallback until there is one.
    private static func readHedging(_ hedging: YAMLMap, into policy: inout RolloutPolicy) throws(ConfigFileError) {
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
}
