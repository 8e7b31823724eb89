public import AsyncHTTPClient
import Canary
import Logging
import NIOCore
import NIOHTTP1

/// A client for any OpenAI-compatible chat-completions API: OpenAI itself, or the relay being migrated to.
///
/// Built on AsyncHTTPClient with its own connection pool (or a shared client
/// you pass in). Requests and answers pass through with their unknown fields
/// intact; server-sent events are parsed incrementally; every failure is a
/// ``ProviderError`` classified by Canary's `FailureClass` table. The API key
/// is sent as a bearer token and appears nowhere else.
///
/// ```swift
/// let relay = OpenAICompatibleProvider(configuration: .init(
///     name: "relay", baseURL: "https://relay.example.com/v1", apiKey: .environment("RELAY_API_KEY")))
/// let answer = try await relay.complete(ChatRequest(
///     model: "gpt-4.1", messages: [.init(role: .user, content: "Hello")]))
/// print(answer.text ?? "", answer.metadata?.cost ?? 0)
/// try await relay.shutdown()
/// ```
public final class OpenAICompatibleProvider: ChatProvider {
    /// The configuration the provider was created with.
    public let configuration: Configuration
    private let transport: UpstreamTransport
    private let bufferObserver: (@Sendable (Int) -> Void)?

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - configuration: where and how to call the upstream.
    ///   - httpClient: a client to share; when `nil` the provider creates its own from the
    ///     configuration's pool and timeout settings and shuts it down in ``shutdown()``.
    ///   - streamBufferObserver: called after each body read of a stream with the SSE
    ///     parser's buffered high-water mark in bytes (for memory tests and metrics).
    public init(
        configuration: Configuration, httpClient: HTTPClient? = nil,
        streamBufferObserver: (@Sendable (Int) -> Void)? = nil
    ) {
        self.configuration = configuration
        var headers = HTTPHeaders()
        if let apiKey = configuration.apiKey { headers.add(name: "authorization", value: "Bearer \(apiKey.reveal())") }
        for (name, value) in configuration.extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        transport = UpstreamTransport(
            provider: configuration.name, kind: .openAICompatible, baseURL: configuration.baseURL,
            connection: configuration.connection, headers: headers, secret: configuration.apiKey,
            httpClient: httpClient)
        bufferObserver = streamBufferObserver
    }

    public var name: String { configuration.name }
    public var kind: ProviderKind { .openAICompatible }

    /// Shuts down the HTTP client if the provider created it; a shared client is left alone.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let body = try completeBody(request)
        let prices = configuration.prices
        let requestedModel = request.model
        let start = ContinuousClock.now
        let response = try await transport.fetch(.POST, path: "/chat/completions", body: body, context: context)
        // Kept with its bytes: an unchanged answer goes back to a proxy's caller as it came.
        var answer = try transport.decoding(ChatResponse.self, status: response.status, body: response.body) {
            try ChatResponse(json: response.body)
        }
        // An answer with no choice has nothing to give the caller: passing it on as a success
        // would be a silent empty answer.
        guard !answer.choices.isEmpty else {
            throw transport.malformed(
                "answer has no choices (\"choices\": [])", body: response.body, status: response.status)
        }
        let cost = answer.usage.flatMap {
            Pricing.cost($0, answeredModel: answer.model, requestedModel: requestedModel, prices)
        }
        answer.metadata = ResponseMetadata(
            provider: transport.provider, kind: .openAICompatible, requestedModel: requestedModel,
            upstreamModel: answer.model.isEmpty ? requestedModel : answer.model,
            httpStatus: response.status, upstreamRequestID: transport.upstreamRequestID(response.headers),
            latency: .zero, usage: answer.usage, cost: cost)
        answer.metadata?.latency = ContinuousClock.now - start
        context.logger.debug(
            "upstream answered",
            metadata: [
                "provider": "\(name)", "model": "\(request.model)",
                "latency": "\(answer.metadata?.latency ?? .zero)",
            ])
        return answer
    }

    /// The body of a complete (not streamed) call: the caller's own JSON when the request came
    /// from ``ChatRequest/init(json:)`` unchanged and asks for no stream, else the request encoded.
    private func completeBody(_ request: ChatRequest) throws -> ByteBuffer {
        if request.stream != true, request.streamOptions == nil, let original = request.originalJSON {
            return original
        }
        var request = request
        request.stream = nil
        request.streamOptions = nil
        return try transport.encode(request)
    }

    public func stream(_ request: ChatRequest, context: CallContext) async throws -> ChatChunkStream {
        let body = try streamBody(request)
        let start = ContinuousClock.now
        let response = try await transport.send(
            .POST, path: "/chat/completions", body: body, context: context, accept: "text/event-stream")
        return chunkStream(response, model: request.model, start: start)
    }

    /// The stream over an answer whose head is in. Out of line, to keep `stream`'s async frame
    /// small: 1,392 bytes instead of 3,120 (see `Benchmarks/async-frames.py`).
    @inline(never)
    private func chunkStream(_ response: HTTPClientResponse, model: String, start: ContinuousClock.Instant)
        -> ChatChunkStream
    {
        let metadata = ResponseMetadata(
            provider: name, kind: .openAICompatible, requestedModel: model, upstreamModel: model,
            httpStatus: Int(response.status.code), upstreamRequestID: transport.upstreamRequestID(response),
            latency: ContinuousClock.now - start)
        let transport = transport
        let maxEventBytes = configuration.connection.maxEventBytes
        let observer = bufferObserver
        let status = Int(response.status.code)
        let provider = name
        return ChatChunkStream(metadata: metadata, prices: configuration.prices) {
            EventStreamChunkSource(
                body: response.body, translator: OpenAIStreamTranslator(provider: provider), transport: transport,
                maxEventBytes: maxEventBytes, status: status, observer: observer)
        }
    }

    /// The body of a streamed call: the caller's own JSON when the request came from
    /// ``ChatRequest/init(json:)`` unchanged, already asks for a stream, and either asks for usage
    /// or has no `stream_options` (then `"stream_options":{"include_usage":true},` is written
    /// after its `{`); else the request encoded with `stream` and `include_usage` set.
    func streamBody(_ request: ChatRequest) throws -> ByteBuffer {
        let wantsUsage = configuration.requestStreamUsage
        if request.stream == true, let original = request.originalJSON {
            if !wantsUsage || request.streamOptions?.includeUsage == true { return original }
            if request.streamOptions == nil, let spliced = Self.withStreamUsage(original) { return spliced }
        }
        var request = request
        request.stream = true
        if wantsUsage {
            var options = request.streamOptions ?? StreamOptions()
            options.includeUsage = true
            request.streamOptions = options
        }
        return try transport.encode(request)
    }

    /// `json` with `"stream_options":{"include_usage":true}` as its first member; `nil` when it
    /// does not start with `{` (after whitespace) or already has the key.
    static func withStreamUsage(_ json: ByteBuffer) -> ByteBuffer? {
        let scan = try? ChatRequestScan(json: json)
        guard let scan, scan.streamOptions == .absent else { return nil }
        var view = json.readableBytesView.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        guard view.first == UInt8(ascii: "{") else { return nil }
        view = view.dropFirst()
        let empty =
            view.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }).first == UInt8(ascii: "}")
        var out = ByteBuffer()
        out.reserveCapacity(json.readableBytes + 40)
        out.writeStaticString(#"{"stream_options":{"include_usage":true}"#)
        if !empty { out.writeStaticString(",") }
        out.writeBytes(view)
        return out
    }

    public func embeddings(_ request: EmbeddingRequest, context: CallContext) async throws -> EmbeddingResponse {
        let body = try transport.encode(request)
        let response = try await transport.fetch(.POST, path: "/embeddings", body: body, context: context)
        return try transport.decode(EmbeddingResponse.self, from: response.body, status: response.status)
    }

    public func models(context: CallContext) async throws -> ModelList {
        let response = try await transport.fetch(.GET, path: "/models", body: nil, context: context)
        return try transport.decode(ModelList.self, from: response.body, status: response.status)
    }
}
