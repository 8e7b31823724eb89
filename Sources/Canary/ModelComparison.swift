/// One row of the per-model table: a model's calls on legacy and on the relay over the window.
///
/// The table holds the top N models by traffic on both paths together and an `other` row for
/// the rest (``isOther``), so it stays small whatever the callers ask for. The same rows are
/// chosen for both paths, so each row compares like with like.
public struct ModelComparison: Sendable, Hashable, Codable {
    /// The model's name, or `other`.
    public var model: String
    /// Whether this is the row of every model outside the top N.
    public var isOther: Bool = false
    /// The model's calls on legacy.
    public var legacy: ModelCounts
    /// The model's calls on the relay.
    public var relay: ModelCounts

    /// Whether both paths served the model (a judged call on each side): only such rows are compared.
    public var servedByBoth: Bool { legacy.judged > 0 && relay.judged > 0 }

    /// The name of the row of models outside the top N.
    public static let otherName = "other"
}

extension HealthSnapshot {
    /// The per-model table: the `top` models by calls on both paths together, heaviest first
    /// (ties by name, so the table is the same in every process), then an `other` row with every
    /// other model and the calls a bucket could not count apart, when there are any.
    ///
    /// Empty when no call named its model.
    public func modelComparisons(top: Int) -> [ModelComparison] {
        let names = Set(legacy.models.keys).union(relay.models.keys)
        let ranked = names.map { name in
            (name, (legacy.models[name]?.requests ?? 0) + (relay.models[name]?.requests ?? 0))
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var rows = ranked.prefix(max(0, top)).map { name, _ in
            ModelComparison(
                model: name, legacy: legacy.models[name] ?? ModelCounts(), relay: relay.models[name] ?? ModelCounts())
        }
        var other = ModelComparison(
            model: ModelComparison.otherName, isOther: true, legacy: legacy.unlistedModels, relay: relay.unlistedModels)
        for (name, _) in ranked.dropFirst(max(0, top)) {
            if let counts = legacy.models[name] { other.legacy.add(counts) }
            if let counts = relay.models[name] { other.relay.add(counts) }
        }
        if !other.legacy.isEmpty || !other.relay.isEmpty { rows.append(other) }
        return rows
    }
}
