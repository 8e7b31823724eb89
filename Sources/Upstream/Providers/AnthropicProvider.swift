public import AsyncHTTPClient
import Canary
import Logging
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client for Anthropic's Messages API that speaks OpenAI chat completions to its caller.
///
/// The typical legacy path of a migration: the application called Anthropic
/// directly. Requests are translated with ``AnthropicTranslation``, answers
/// and stream events normalised back (``AnthropicStreamTranslator``), so a
/// caller sees the same shape from either path; only ``ResponseMetadata``
/// says Anthropic answered. The `model` reported is the one the caller asked
/// for; the Anthropic model is in the metadata.
///
/// ```swift
/// let legacy = AnthropicProvider(configuration: .init(
///     name: "legacy", apiKey: .environment("ANTHROPIC_API_KEY"),
///     modelMap: ["claude-sonnet-4.5": "claude-sonnet-4-5"]))
/// let answer = try await legacy.complete(ChatRequest(
///     model: "claude-sonnet-4.5", messages: [.init(role: .user, content: "Hello")]))
/// ```
public final class AnthropicProvider: ChatProvider {
    /// The configuration the provider was created with.
    public let configuration: Configuration
    private let transport: UpstreamTransport
    private let bufferObserver: (@Sendable (Int) -> Void)?

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - configuration: where and how to call Anthropic.
    ///   - httpClient: a client to share; when `nil` the provider creates its own and shuts it down in ``shutdown()``.
    ///   - streamBufferObserver: called after each body read of a stream with the SSE parser's
    ///     buffered high-water mark in bytes.
    public init(
        configuration: Configuration, httpClient: HTTPClient? = nil,
        streamBufferObserver: (@Sendable (Int) -> Void)? = nil
    ) {
        self.configuration = configuration
        var headers = HTTPHeaders()
        if let apiKey = configuration.apiKey { headers.add(name: "x-api-key", value: apiKey.reveal()) }
        headers.add(name: "anthropic-version", value: configuration.anthropicVersion)
        if !configuration.betas.isEmpty {
            headers.add(name: "anthropic-beta", value: configuration.betas.joined(separator: ","))
        }
        for (name, value) in configuration.extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        transport = UpstreamTransport(
            provider: configuration.name, kind: .anthropic, baseURL: configuration.baseURL,
            connection: configuration.connection, headers: headers, secret: configuration.apiKey,
            httpClient: httpClient)
        bufferObserver = streamBufferObserver
    }

    public var name: String { configuration.name }
    public var kind: ProviderKind { .anthropic }

    /// Shuts down the HTTP client if the provider created it; a shared client is left alone.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let (body, upstreamModel) = try messagesBody(request, stream: false)
        let prices = configuration.prices
        let requestedModel = request.model
        let start = ContinuousClock.now
        let response = try await transport.fetch(.POST, path: "/messages", body: body, context: context)
        let message = try transport.decode(AnthropicMessagesResponse.self, from: response.body, status: response.status)
        if let problem = AnthropicTranslation.shapeProblem(of: message) {
            throw transport.malformed(problem, body: response.body, status: response.status)
        }
        var answer = AnthropicTranslation.response(from: message, model: requestedModel, created: Self.unixNow())
        let answeredModel = message.model.isEmpty ? upstreamModel : message.model
        answer.metadata = ResponseMetadata(
            provider: transport.provider, kind: .anthropic, requestedModel: requestedModel,
            upstreamModel: answeredModel, httpStatus: response.status,
            upstreamRequestID: transport.upstreamRequestID(response.headers), usage: answer.usage,
            cost: answer.usage.flatMap {
                Pricing.cost($0, answeredModel: answeredModel, requestedModel: requestedModel, prices)
            })
        answer.metadata?.latency = ContinuousClock.now - start
        context.logger.debug(
            "upstream answered",
            metadata: [
                "provider": "\(name)", "model": "\(upstreamModel)",
                "latency": "\(answer.metadata?.latency ?? .zero)",
            ])
        return answer
    }

    /// The Messages API body for `request`, streamed or not, and the Anthropic model it names.
    private func messagesBody(_ request: ChatRequest, stream: Bool) throws -> (ByteBuffer, upstreamModel: String) {
        var request = request
        request.stream = stream ? true : nil
        let upstreamModel = configuration.upstreamModel(for: request.model)
        let body = try transport.encode(
            AnthropicTranslation.request(
                from: request, model: upstreamModel, defaultMaxTokens: configuration.defaultMaxTokens))
        return (body, upstreamModel)
    }

    public func stream(_ request: ChatRequest, context: CallContext) async throws -> ChatChunkStream {
        let (body, upstreamModel) = try messagesBody(request, stream: true)
        let start = ContinuousClock.now
        let response = try await transport.send(
            .POST, path: "/messages", body: body, context: context, accept: "text/event-stream")
        let metadata = ResponseMetadata(
            provider: name, kind: .anthropic, requestedModel: request.model, upstreamModel: upstreamModel,
            httpStatus: Int(response.status.code), upstreamRequestID: transport.upstreamRequestID(response),
            latency: ContinuousClock.now - start)
        // Anthropic always reports usage in its events; the caller gets the usage chunk
        // when it asked for it, as an OpenAI stream would behave.
        let translator = AnthropicStreamTranslator(
            provider: name, model: request.model, created: Self.unixNow(),
            includeUsage: request.streamOptions?.includeUsage ?? true)
        let transport = transport
        let maxEventBytes = configuration.connection.maxEventBytes
        let observer = bufferObserver
        let status = Int(response.status.code)
        return ChatChunkStream(metadata: metadata, prices: configuration.prices) {
            EventStreamChunkSource(
                body: response.body, translator: AnthropicEventTranslator(translator: translator),
                transport: transport, maxEventBytes: maxEventBytes, status: status, observer: observer)
        }
    }

    /// Anthropic has no embeddings API.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/unsupported`` (class `clientError`).
    public func embeddings(_ request: EmbeddingRequest, context: CallContext) async throws -> EmbeddingResponse {
        throw ProviderError(
            code: .unsupported, failureClass: .clientError, provider: name,
            message: "Anthropic has no embeddings API; route embeddings to an OpenAI-compatible provider")
    }

    public func models(context: CallContext) async throws -> ModelList {
        struct AnthropicModels: Decodable {
            struct Model: Decodable {
                var id: String
                var displayName: String?
                enum CodingKeys: String, CodingKey {
                    case id
                    case displayName = "display_name"
                }
            }
            var data: [Model]
        }
        let response = try await transport.fetch(.GET, path: "/models", body: nil, context: context)
        let list = try transport.decode(AnthropicModels.self, from: response.body, status: response.status)
        return ModelList(
            data: list.data.map {
                ModelList.Model(
                    id: $0.id, ownedBy: "anthropic", extras: $0.displayName.map { ["display_name": .string($0)] } ?? [:]
                )
            })
    }

    static func unixNow() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
