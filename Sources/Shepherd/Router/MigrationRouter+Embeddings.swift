public import Canary
import Resilience
public import Upstream

extension MigrationRouter {
    /// Embeddings go to the path the split chooses, with the same failover rule.
    public func embeddings(_ request: EmbeddingRequest, routing: RoutingHint = RoutingHint()) async throws
        -> (EmbeddingResponse, TrafficPath)
    {
        let chosen = choosePath(forKey: routing.key)
        if chosen == .relay {
            do {
                return (try await relay.embeddings(request, context: routing.context), .relay)
            } catch {
                let failure = FailureClassifier().outcome(of: error)
                guard failover.legacyAnswers(after: failure) else {
                    throw RouterError(deciding: failure, error: error, attempts: [])
                }
                metrics.fallback()
            }
        }
        do {
            return (try await legacy.embeddings(request, context: routing.context), .legacy)
        } catch {
            throw RouterError(deciding: FailureClassifier().outcome(of: error), error: error, attempts: [])
        }
    }

    /// The models of the path new traffic is heading to (the relay once it carries any), else legacy.
    public func models(context: CallContext = CallContext()) async throws -> ModelList {
        if effectivePercent > 0, let list = try? await relay.models(context: context) { return list }
        return try await legacy.models(context: context)
    }
}
