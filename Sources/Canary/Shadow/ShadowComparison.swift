/// The comparison of one shadowed pair: legacy's answer (the one the client got) and the relay's.
///
/// A pair agrees when both succeeded with the same status, the same `finish_reason`, the same
/// tool calls (names in order, arguments valid JSON) and texts that match: exactly, as JSON for a
/// structured answer, or with a token-set overlap at or above the policy's `textSimilarity`.
/// Latency, tokens and cost are measured, not judged pair by pair (the health checks judge the
/// relay's latency on the shadow calls as a whole).
public struct ShadowComparison: Sendable, Hashable {
    /// What is compared, in the order a disagreement is reported.
    public enum Check: String, Sendable, Hashable, Codable, CaseIterable {
        case bothSucceeded
        case status
        case finishReason
        case toolCalls
        case toolArguments
        case text
    }

    /// The checks that failed (empty when the pair agrees).
    public var failed: [Check]
    /// Token-set overlap of the two texts (1 when both are empty).
    public var textSimilarity: Double
    /// Whether the texts are identical (or equal as JSON for a structured answer).
    public var textExact: Bool
    /// Relay latency over legacy latency.
    public var latencyRatio: Double?
    /// Relay cost minus legacy cost, in dollars.
    public var costDifference: Double

    /// Whether the pair agrees.
    public var agrees: Bool { failed.isEmpty }

    /// Compares a pair.
    ///
    /// - Parameters:
    ///   - legacy: the answer the client got.
    ///   - relay: the relay's answer to the same request.
    ///   - similarityThreshold: the token-set overlap at which two different texts agree.
    public init(legacy: ShadowAnswer, relay: ShadowAnswer, similarityThreshold: Double) {
        var failed: [Check] = []
        let both = legacy.succeeded && relay.succeeded
        if !both { failed.append(.bothSucceeded) }
        if legacy.status != relay.status { failed.append(.status) }
        let exact: Bool
        if let left = legacy.canonicalJSON, let right = relay.canonicalJSON {
            exact = left == right
        } else {
            exact = legacy.text == relay.text
        }
        let similarity = exact ? 1 : Self.tokenSetOverlap(legacy.text, relay.text)
        if both {
            if legacy.finishReason != relay.finishReason { failed.append(.finishReason) }
            if legacy.toolNames != relay.toolNames { failed.append(.toolCalls) }
            if !relay.toolArgumentsAreJSON { failed.append(.toolArguments) }
            let structured = legacy.canonicalJSON != nil
            if !(exact || (!structured && similarity >= similarityThreshold)) { failed.append(.text) }
        }
        self.failed = failed
        textSimilarity = similarity
        textExact = exact
        let legacySeconds = legacy.latency / .seconds(1)
        latencyRatio = legacySeconds > 0 ? (relay.latency / .seconds(1)) / legacySeconds : nil
        costDifference = relay.cost - legacy.cost
    }

    /// The Jaccard overlap of the two texts' sets of lowercased words (1 when both have none).
    public static func tokenSetOverlap(_ left: String, _ right: String) -> Double {
        func words(_ text: String) -> Set<Substring> {
            Set(text.lowercased().split { !$0.isLetter && !$0.isNumber })
        }
        let a = words(left)
        let b = words(right)
        if a.isEmpty && b.isEmpty { return 1 }
        return Double(a.intersection(b).count) / Double(a.union(b).count)
    }
}
