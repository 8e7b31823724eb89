#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Translates Anthropic stream events into OpenAI chat-completion chunks, one event at a time.
///
/// A state machine that never waits: it remembers the message id, the
/// input usage from `message_start`, which content blocks are tool calls, and
/// the output usage from `message_delta`.
///
/// | Anthropic event                        | OpenAI chunk                                         |
/// |----------------------------------------|------------------------------------------------------|
/// | `message_start`                        | `delta: {role: assistant, content: ""}`              |
/// | `content_block_start` (`tool_use`)     | `delta.tool_calls[i]` with id, name, `arguments: ""` |
/// | `content_block_delta` (`text_delta`)   | `delta.content`                                      |
/// | `content_block_delta` (`input_json_delta`) | `delta.tool_calls[i].function.arguments`         |
/// | `message_delta`                        | `finish_reason`                                      |
/// | `message_stop`                         | the usage chunk (`choices: []`) when asked; the end  |
/// | `ping`, `content_block_stop`, thinking | nothing                                              |
/// | `error`                                | throws ``ProviderError`` (``ProviderError/Code/streamError``) |
public struct AnthropicStreamTranslator: Sendable {
    /// The configured provider name, for errors.
    public let provider: String
    /// The model reported in chunks (the one the caller asked for).
    public let model: String
    /// Unix seconds reported in chunks.
    public let created: Int64
    /// Whether to end with a usage chunk (the request's `stream_options.include_usage`).
    public let includeUsage: Bool
    /// Whether `message_stop` has been read.
    public private(set) var isFinished = false
    /// The model Anthropic says is answering (from `message_start`).
    public private(set) var upstreamModel: String?

    private var id = "chatcmpl-"
    private var usage = AnthropicUsage()
    private var toolIndexByBlock: [Int: Int] = [:]

    /// Creates a value; each parameter sets the property of the same name.
    public init(provider: String, model: String, created: Int64, includeUsage: Bool) {
        self.provider = provider
        self.model = model
        self.created = created
        self.includeUsage = includeUsage
    }

    /// Translates one event.
    /// - Returns: zero or more chunks.
    /// - Throws: ``ProviderError`` for an `error` event.
    public mutating func translate(_ event: AnthropicStreamEvent) throws -> [ChatChunk] {
        // The answer ended at message_stop: whatever follows is not part of it.
        guard !isFinished else { return [] }
        switch event.type {
        case "message_start":
            if let message = event.message {
                id = AnthropicTranslation.chatID(message.id)
                upstreamModel = message.model
                usage = message.usage
            }
            return [chunk(ChatChunk.Delta(role: .assistant, content: ""))]
        case "content_block_start":
            guard let block = event.contentBlock, let index = event.index else { return [] }
            switch block.type {
            case "tool_use":
                let toolIndex = toolIndexByBlock.count
                toolIndexByBlock[index] = toolIndex
                let call = ToolCall(
                    index: toolIndex, id: block.id, type: "function",
                    function: .init(name: block.name, arguments: ""))
                return [chunk(ChatChunk.Delta(toolCalls: [call]))]
            case "text":
                guard let text = block.text, !text.isEmpty else { return [] }
                return [chunk(ChatChunk.Delta(content: text))]
            default:
                return []
            }
        case "content_block_delta":
            guard let delta = event.delta else { return [] }
            switch delta.type {
            case "text_delta":
                return [chunk(ChatChunk.Delta(content: delta.text ?? ""))]
            case "input_json_delta":
                guard let index = event.index, let toolIndex = toolIndexByBlock[index] else { return [] }
                let call = ToolCall(
                    index: toolIndex, id: nil, type: nil, function: .init(arguments: delta.partialJSON ?? ""))
                return [chunk(ChatChunk.Delta(toolCalls: [call]))]
            default:
                return []
            }
        case "message_delta":
            if let delta = event.usage {
                usage.outputTokens = max(usage.outputTokens, delta.outputTokens)
                if delta.inputTokens > 0 { usage.inputTokens = delta.inputTokens }
                if let read = delta.cacheReadInputTokens { usage.cacheReadInputTokens = read }
                if let created = delta.cacheCreationInputTokens { usage.cacheCreationInputTokens = created }
            }
            guard let reason = AnthropicTranslation.finishReason(event.delta?.stopReason) else { return [] }
            return [chunk(ChatChunk.Delta(), finishReason: reason)]
        case "message_stop":
            isFinished = true
            guard includeUsage else { return [] }
            return [ChatChunk(id: id, created: created, model: model, choices: [], usage: usage.openAIUsage)]
        case "error":
            let body = event.error ?? .init(type: "api_error", message: "error event without a body")
            throw ProviderError(
                code: .streamError, failureClass: AnthropicTranslation.failureClass(errorType: body.type),
                provider: provider, message: body.message, upstreamType: body.type)
        default:
            return []  // ping, content_block_stop, and event types added after this was written
        }
    }

    private func chunk(_ delta: ChatChunk.Delta, finishReason: String? = nil) -> ChatChunk {
        ChatChunk(
            id: id, created: created, model: model,
            choices: [.init(index: 0, delta: delta, finishReason: finishReason)])
    }
}
