/// An LLM upstream that answers OpenAI-shaped chat requests: the interface both migration paths implement.
///
/// ``OpenAICompatibleProvider`` (the relay, or OpenAI itself) and
/// ``AnthropicProvider`` (a typical legacy direct-provider path) conform, and
/// so can test doubles. Every answer is in the OpenAI shape whichever
/// upstream produced it; only ``ResponseMetadata`` says which one did.
///
/// Errors are ``ProviderError``s, classified by Canary's `FailureClass`
/// table, so the resilience layer never has to guess. Cancelling the calling
/// task cancels the upstream HTTP request and closes its connection, for
/// complete answers and for streams alike.
///
/// ```swift
/// let provider: any ChatProvider = OpenAICompatibleProvider(
///     configuration: .init(name: "relay", baseURL: "https://relay.example.com/v1", apiKey: "sk-…"))
/// let request = ChatRequest(model: "gpt-4.1", messages: [.init(role: .user, content: "Hello")])
/// for try await chunk in try await provider.stream(request, context: CallContext()) {
///     print(chunk.choices.first?.delta.content ?? "", terminator: "")
/// }
/// ```
public protocol ChatProvider: Sendable {
    /// The provider's configured name, used in metadata, errors and metrics.
    var name: String { get }

    /// The wire format the provider speaks.
    var kind: ProviderKind { get }

    /// Sends a request and returns the whole answer.
    ///
    /// A request with `stream: true` is sent without streaming.
    /// - Throws: ``ProviderError``.
    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse

    /// Sends a request and returns its answer as a stream of chunks.
    ///
    /// Returns once the upstream has answered with a success status; a failure
    /// status throws here, before any chunk. Chunks are delivered as they arrive,
    /// never buffered; the stream throws ``ProviderError`` when the connection
    /// fails or the stream ends before its terminal event.
    /// - Throws: ``ProviderError``.
    func stream(_ request: ChatRequest, context: CallContext) async throws -> ChatChunkStream

    /// Computes embeddings.
    /// - Throws: ``ProviderError`` (code ``ProviderError/Code/unsupported`` where the upstream has none).
    func embeddings(_ request: EmbeddingRequest, context: CallContext) async throws -> EmbeddingResponse

    /// Lists the upstream's models.
    /// - Throws: ``ProviderError``.
    func models(context: CallContext) async throws -> ModelList
}

extension ChatProvider {
    /// ``complete(_:context:)`` with a default context.
    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await complete(request, context: CallContext())
    }

    /// ``stream(_:context:)`` with a default context.
    public func stream(_ request: ChatRequest) async throws -> ChatChunkStream {
        try await stream(request, context: CallContext())
    }
}
