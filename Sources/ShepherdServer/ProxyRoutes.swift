import Canary
import Hummingbird
import Logging
import NIOCore
import Resilience
import Shepherd
import Upstream

/// The OpenAI-compatible routes: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models`.
///
/// Each call is routed by ``MigrationRouter``: the routing key comes from `x-shepherd-routing-key`
/// (or `x-session-id`), else the OpenAI `user` field, else the split is random. A chat call with
/// `x-shepherd-tier: critical` (a tier of the policy's `chains`) follows that tier's model
/// fallback chain on the relay; an unknown tier is a 400 naming the tiers there are. Answers carry
/// `x-shepherd-path`, `x-shepherd-fallback` and `x-shepherd-model`. Nothing of the caller's
/// request headers goes upstream except the request id: the providers send their own keys, so
/// a client's `Authorization` never leaves Shepherd.
struct ProxyRoutes<C: DeadlineClock>: Sendable where C.Duration == Duration {
    let router: MigrationRouter<C>
    let maxBodyBytes: Int
    /// The server span's attributes; inert when tracing is off.
    let serverSpan: ServerSpan

    func register(on group: RouterGroup<BasicRequestContext>, table: RouteTable) {
        group.post("chat/completions") { request, context in try await self.chat(request, context: context) }
        group.post("embeddings") { request, context in try await self.embeddings(request, context: context) }
        group.get("models") { request, context in try await self.models(request, context: context) }
        table.record(.post, "/v1/chat/completions")
        table.record(.post, "/v1/embeddings")
        table.record(.get, "/v1/models")
    }

    // MARK: Handlers

    func chat(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await JSONBody.collect(request, limit: maxBodyBytes)
        let (chat, routing) = try routed(body, request: request, context: context)
        if chat.isStreaming {
            let logger = context.logger
            return try await Self.inChildTask {
                let stream = try await upstream { try await router.stream(chat, routing: routing) }
                return streamed(stream, includeUsage: chat.streamOptions?.includeUsage == true, logger: logger)
            }
        }
        return try await complete(chat, routing: routing)
    }

    // The synchronous parts of `chat` are kept out of line, to keep its async frame small
    // (see `Benchmarks/async-frames.py`).

    /// The request parsed and its routing decided (the tier checked), on the server span.
    @inline(never)
    private func routed(
        _ body: ByteBuffer, request: Request, context: BasicRequestContext
    ) throws -> (ChatRequest, RoutingHint) {
        let chat = try RequestParsing.chatRequest(from: body)
        var routing = Self.routing(request, context: context, fallbackKey: nil)
        if let tier = request.headers[.shepherdTier], !tier.isEmpty {
            guard router.knowsTier(tier) else {
                throw OpenAIError.invalid(
                    "x-shepherd-tier", "Unknown tier \"\(tier)\": \(Self.tierList(router.tiers)).")
            }
            routing.tier = tier
        }
        serverSpan.routing(model: chat.model, percent: router.effectivePercent)
        return (chat, routing)
    }

    @inline(never)
    private func streamed(_ stream: RoutedStream, includeUsage: Bool, logger: Logger) -> Response {
        serverSpan.streaming(stream)
        return SSEWriter.response(for: stream, includeUsage: includeUsage, logger: logger)
    }

    /// A chat call answered in one piece.
    private func complete(_ chat: ChatRequest, routing: RoutingHint) async throws -> Response {
        let routed = try await upstream { try await router.complete(chat, routing: routing) }
        return answered(routed, chat: chat)
    }

    @inline(never)
    private func answered(_ routed: RoutedResponse, chat: ChatRequest) -> Response {
        let model =
            routed.response.model.isEmpty
            ? (routed.response.metadata?.upstreamModel ?? chat.model) : routed.response.model
        serverSpan.answered(routed, model: model)
        let headers = HTTPFields.shepherd(path: routed.path, fellBack: routed.fellBack, model: model)
        // An OpenAI-compatible upstream's answer goes back as it came; a translated one is encoded.
        if let original = routed.response.originalJSON {
            return JSONBody.response(json: original, headers: headers)
        }
        return JSONBody.response(routed.response, headers: headers)
    }

    /// The router's answer, or its failure on the server span and as the OpenAI envelope.
    private func upstream<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch {
            serverSpan.failed(error)
            throw OpenAIError(upstream: error)
        }
    }

    func embeddings(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await JSONBody.collect(request, limit: maxBodyBytes)
        let embeddings = try RequestParsing.embeddingRequest(from: body)
        // The router reads only the explicit key for embeddings: the `user` fallback is applied here.
        let routing = Self.routing(request, context: context, fallbackKey: embeddings.user)
        let (response, path): (EmbeddingResponse, TrafficPath)
        do {
            (response, path) = try await router.embeddings(embeddings, routing: routing)
        } catch {
            throw OpenAIError(upstream: error)
        }
        // `fellBack` is not reported by the router for embeddings: only the path is known.
        var headers = HTTPFields()
        headers[.shepherdPath] = path.rawValue
        headers[.shepherdModel] = response.model.isEmpty ? embeddings.model : response.model
        return JSONBody.response(response, headers: headers)
    }

    func models(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let list: ModelList
        do {
            list = try await router.models(context: Self.callContext(request, context: context))
        } catch {
            throw OpenAIError(upstream: error)
        }
        return JSONBody.response(list)
    }

    // MARK: Helpers

    /// Opens a stream in a child task, so that the frames it needs on its way to the first chunk
    /// go with that task when it returns.
    ///
    /// Memory per open stream: a task's allocator keeps every slab its deepest chain of async
    /// frames ever needed until the task ends, and the connection's task lives as long as the
    /// connection, writing a stream's body for its whole length. Routing a call (router,
    /// executors, provider, HTTP client) needs tens of kilobytes of frames; on the connection's
    /// task they stayed allocated under every open stream. In a child task they are freed once
    /// the stream's first chunk is in. An answer in one piece is routed on the connection's task:
    /// its memory is brief, and a child task would cost it about 8% of its throughput.
    static func inChildTask(
        _ handler: @escaping @Sendable () async throws -> Response
    ) async throws -> Response {
        try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask(operation: handler)
            // The one child either returns a response or throws, which `next()` rethrows.
            return try await group.next()!
        }
    }

    static func tierList(_ tiers: [String]) -> String {
        tiers.isEmpty ? "the rollout policy defines no model chains" : "use one of \(tiers.joined(separator: ", "))"
    }

    /// The routing hint: the header key (else `fallbackKey`) and a context with only the request id.
    static func routing(_ request: Request, context: BasicRequestContext, fallbackKey: String?) -> RoutingHint {
        let header = [request.headers[.shepherdRoutingKey], request.headers[.sessionID]]
            .compactMap { $0 }.first { !$0.isEmpty }
        return RoutingHint(key: header ?? fallbackKey, context: callContext(request, context: context))
    }

    /// What a provider gets from the caller's request: its id and the request's logger. Never
    /// its headers (`Authorization` above all): `headers` stays empty on purpose.
    static func callContext(_ request: Request, context: BasicRequestContext) -> CallContext {
        CallContext(requestID: RequestID.of(request, context: context), headers: [:], logger: context.logger)
    }
}
