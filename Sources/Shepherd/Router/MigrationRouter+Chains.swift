import Canary
import Logging
import Resilience
import Upstream

extension MigrationRouter {
    /// The tiers a call may name: the policy's `chains`.
    public var tiers: [String] { configuration.policy.chains.keys.sorted() }

    /// Whether a call may name `tier` (the policy has a chain for it).
    public func knowsTier(_ tier: String) -> Bool {
        configuration.policy.chains[tier]?.isEmpty == false
    }

    /// The relay models a call of `tier` asking for `model` tries, in order: the tier's chain
    /// from `model` on when the chain lists it (a call never moves up to a dearer model than it
    /// asked for), else `model` first and then the whole chain. `nil` without a tier.
    ///
    /// - Throws: ``RouterError`` (`rejected`, 400) for a tier the policy does not define.
    public func relayChain(tier: String?, model: String) throws -> [String]? {
        guard let tier else { return nil }
        guard knowsTier(tier), let list = configuration.policy.chains[tier] else {
            let known =
                tiers.isEmpty ? "the policy defines none" : "the policy defines \(tiers.joined(separator: ", "))"
            throw RouterError.rejected("unknown tier \"\(tier)\": \(known)", label: "unknown_tier")
        }
        if let index = list.firstIndex(of: model) { return Array(list[index...]) }
        return [model] + list
    }

    /// The policy's hedging as the chain executor takes it; a p95 delay reads the relay's window.
    static func hedging(_ settings: HedgingSettings?, window: HealthWindow<C>) -> HedgingPolicy {
        switch settings?.delay {
        case nil: .off
        case .fixed(let delay): .after(.fixed(delay))
        case .relayP95(let fallback):
            .after(.observedP95(fallback: fallback, provider: { _ in window.snapshot(of: .relay).p95 }))
        }
    }

    /// Runs `call` down the relay chain `models`: the next model on a rate limit, a server error
    /// or a connection failure, each attempt recorded in the window as a relay call. Every model
    /// has its own breaker (`relay/<model>`); when all of them are open, nothing was called and
    /// the call is recorded as one relay failure, as an open path breaker is.
    func onRelayChain<T: Sendable>(
        _ models: [String], tier: String, _ request: ChatRequest, _ attempts: AttemptLog,
        _ call: @escaping @Sendable (ChatRequest, AttemptContext) async throws -> T
    ) async throws -> T {
        do {
            let executed = try await relayExecutor.execute(models: models) { model, context in
                var attempt = request
                attempt.model = model
                return try await call(attempt, context)
            }
            // Unreachable without a result: relayChain(tier:model:) returns a chain only when the policy has some.
            guard let result = executed else {
                throw RouterError.rejected("no model chains configured", label: "no_chains")
            }
            if result.hedged { metrics.hedge(tier: tier) }
            if result.model != models[0] {
                metrics.modelFallback(tier: tier)
                logger.info(
                    "relay model chain answered with a later model",
                    metadata: ["tier": "\(tier)", "asked": "\(models[0])", "answered": "\(result.model)"])
            }
            return result.value
        } catch let error as ResilienceError {
            if case .chainExhausted(let tried) = error.code {
                let skipped = tried.filter { $0.outcome == .rejectedByBreaker }
                let rejection = ResilienceError(.circuitOpen(retryAfter: nil)).outcome
                for record in skipped {
                    caller.recordRejection(
                        rejection, path: .relay, model: record.model, attempts: attempts, window: false)
                }
                if !skipped.isEmpty, skipped.count == tried.count {
                    caller.record(
                        .failure(.serverError), path: .relay, model: request.model, latency: .zero, at: clock.now)
                }
            }
            throw error
        }
    }
}
