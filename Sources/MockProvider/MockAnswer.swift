import NIOCore
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One answer the mock will give: its size, usage and content, generated on demand.
///
/// Nothing is held whole: a streamed answer of any size is produced chunk by
/// chunk, so the mock can stream 10 MB without holding 10 MB.
struct MockAnswer: Sendable {
    static let vocabulary = [
        "the", "canary", "relay", "sings", "while", "legacy", "traffic", "moves", "slowly", "toward", "a",
        "brighter", "gateway", "and", "nobody", "notices",
    ]

    let requestNumber: Int
    let model: String
    let created: Int64
    let promptTokens: Int
    let cachedTokens: Int
    let completionTokens: Int
    let finishReason: String
    let tokensPerChunk: Int
    /// Set when the request offered tools: the answer calls the first one.
    let toolName: String?
    let includeUsage: Bool
    /// The answer's words when the phase fixes its text (`answerText`); `nil`: the vocabulary.
    let words: [String]?

    init(
        requestNumber: Int, model: String, created: Int64, promptText: Int, maxTokens: Int?,
        phase: FaultScenario.Phase, toolName: String?, includeUsage: Bool, echo: String = ""
    ) {
        switch phase.answerText {
        case .generated: words = nil
        case .echo: words = echo.split(separator: " ").map(String.init)
        case .fixed(let text): words = text.split(separator: " ").map(String.init)
        }
        self.requestNumber = requestNumber
        self.model = model
        self.created = created
        self.promptTokens = max(1, (promptText + 3) / 4)
        self.cachedTokens = Int(Double(promptTokens) * phase.cachedPromptFraction)
        if toolName != nil {
            self.completionTokens = 9
            self.finishReason = "tool_calls"
        } else if let maxTokens, maxTokens < (words?.count ?? phase.completionTokens) {
            self.completionTokens = max(0, maxTokens)
            self.finishReason = "length"
        } else {
            self.completionTokens = words?.count ?? phase.completionTokens
            self.finishReason = "stop"
        }
        self.tokensPerChunk = max(1, phase.tokensPerChunk)
        self.toolName = toolName
        self.includeUsage = includeUsage
    }

    var openAIID: String { "chatcmpl-mock\(requestNumber)" }
    var anthropicID: String { "msg_mock\(requestNumber)" }
    static let toolArguments = ["{\"query\":", "\"mock\"}"]

    /// The text of tokens `range`.
    func text(_ range: Range<Int>) -> String {
        var text = ""
        text.reserveCapacity(range.count * 8)
        for token in range {
            if let words {
                text += words[token]
            } else {
                text += Self.vocabulary[(token + requestNumber) % Self.vocabulary.count]
            }
            text += " "
        }
        return text
    }

    var fullText: String { text(0..<completionTokens) }
    var chunkCount: Int { (completionTokens + tokensPerChunk - 1) / tokensPerChunk }
    func chunkText(_ index: Int) -> String {
        text((index * tokensPerChunk)..<min(completionTokens, (index + 1) * tokensPerChunk))
    }

    var usage: Usage {
        Usage(promptTokens: promptTokens, completionTokens: completionTokens, cachedTokens: cachedTokens)
    }

    var anthropicUsage: AnthropicUsage {
        AnthropicUsage(
            inputTokens: promptTokens - cachedTokens, outputTokens: completionTokens,
            cacheReadInputTokens: cachedTokens > 0 ? cachedTokens : nil)
    }

    // MARK: Complete answers

    func openAIResponse() -> ChatResponse {
        let message: ChatMessage
        if let toolName {
            message = ChatMessage(
                role: .assistant,
                toolCalls: [
                    ToolCall(
                        id: "call_mock\(requestNumber)", type: "function",
                        function: .init(name: toolName, arguments: Self.toolArguments.joined()))
                ])
        } else {
            message = ChatMessage(role: .assistant, content: .text(fullText))
        }
        return ChatResponse(
            id: openAIID, created: created, model: model,
            choices: [.init(index: 0, message: message, finishReason: finishReason)], usage: usage,
            systemFingerprint: "fp_mock")
    }

    func anthropicResponse() -> AnthropicMessagesResponse {
        let content: [AnthropicContentBlock]
        let stopReason: String
        if let toolName {
            content = [
                AnthropicContentBlock(
                    type: "tool_use", id: "toolu_mock\(requestNumber)", name: toolName, input: ["query": "mock"])
            ]
            stopReason = "tool_use"
        } else {
            content = [.text(fullText)]
            stopReason = finishReason == "length" ? "max_tokens" : "end_turn"
        }
        return AnthropicMessagesResponse(
            id: anthropicID, model: model, content: content, stopReason: stopReason, usage: anthropicUsage)
    }

    // MARK: Streams

    /// The frames of a streamed answer, produced one at a time.
    struct Frames {
        let answer: MockAnswer
        let anthropic: Bool
        private var step = 0
        private var chunk = 0
        private let encoder = JSONEncoder()

        init(answer: MockAnswer, anthropic: Bool) {
            self.answer = answer
            self.anthropic = anthropic
        }

        /// The next frame, or `nil` after the terminal event.
        mutating func next() -> ByteBuffer? {
            anthropic ? nextAnthropic() : nextOpenAI()
        }

        private func frame(_ value: some Encodable, event: String? = nil) -> ByteBuffer {
            var buffer = ByteBuffer()
            if let event { buffer.writeString("event: \(event)\n") }
            buffer.writeString("data: ")
            buffer.writeBytes((try? encoder.encode(value)) ?? Data("{}".utf8))
            buffer.writeString("\n\n")
            return buffer
        }

        private func chunk(_ delta: ChatChunk.Delta, finishReason: String? = nil) -> ByteBuffer {
            frame(
                ChatChunk(
                    id: answer.openAIID, created: answer.created, model: answer.model,
                    choices: [.init(index: 0, delta: delta, finishReason: finishReason)]))
        }

        private mutating func nextOpenAI() -> ByteBuffer? {
            switch step {
            case 0:
                step = 1
                return chunk(.init(role: .assistant, content: ""))
            case 1:
                if let toolName = answer.toolName {
                    // The call's head, then its arguments in fragments.
                    if chunk == 0 {
                        chunk = 1
                        let head = ToolCall(
                            index: 0, id: "call_mock\(answer.requestNumber)", type: "function",
                            function: .init(name: toolName, arguments: ""))
                        return self.chunk(.init(toolCalls: [head]))
                    }
                    if chunk <= MockAnswer.toolArguments.count {
                        let fragment = MockAnswer.toolArguments[chunk - 1]
                        chunk += 1
                        let call = ToolCall(index: 0, type: nil, function: .init(arguments: fragment))
                        return self.chunk(.init(toolCalls: [call]))
                    }
                } else if chunk < answer.chunkCount {
                    defer { chunk += 1 }
                    return self.chunk(.init(content: answer.chunkText(chunk)))
                }
                step = 2
                return self.chunk(.init(), finishReason: answer.finishReason)
            case 2:
                step = 3
                if answer.includeUsage {
                    return frame(
                        ChatChunk(
                            id: answer.openAIID, created: answer.created, model: answer.model, choices: [],
                            usage: answer.usage))
                }
                return next()
            case 3:
                step = 4
                return ByteBuffer(string: "data: [DONE]\n\n")
            default:
                return nil
            }
        }

        private mutating func nextAnthropic() -> ByteBuffer? {
            switch step {
            case 0:
                step = 1
                // Built without the answer's text, which is never held whole.
                var usage = answer.anthropicUsage
                usage.outputTokens = 1
                let start = AnthropicMessagesResponse(
                    id: answer.anthropicID, model: answer.model, content: [], stopReason: nil, usage: usage)
                return frame(AnthropicStreamEvent(type: "message_start", message: start), event: "message_start")
            case 1:
                step = 2
                let block =
                    answer.toolName.map {
                        AnthropicContentBlock(
                            type: "tool_use", id: "toolu_mock\(answer.requestNumber)", name: $0, input: [:])
                    } ?? .text("")
                return frame(
                    AnthropicStreamEvent(type: "content_block_start", index: 0, contentBlock: block),
                    event: "content_block_start")
            case 2:
                step = 3
                return frame(AnthropicStreamEvent(type: "ping"), event: "ping")
            case 3:
                if answer.toolName != nil {
                    if chunk < MockAnswer.toolArguments.count {
                        defer { chunk += 1 }
                        return frame(
                            AnthropicStreamEvent(
                                type: "content_block_delta", index: 0,
                                delta: .init(type: "input_json_delta", partialJSON: MockAnswer.toolArguments[chunk])),
                            event: "content_block_delta")
                    }
                } else if chunk < answer.chunkCount {
                    defer { chunk += 1 }
                    return frame(
                        AnthropicStreamEvent(
                            type: "content_block_delta", index: 0,
                            delta: .init(type: "text_delta", text: answer.chunkText(chunk))),
                        event: "content_block_delta")
                }
                step = 4
                return frame(AnthropicStreamEvent(type: "content_block_stop", index: 0), event: "content_block_stop")
            case 4:
                step = 5
                let stopReason =
                    answer.toolName != nil ? "tool_use" : (answer.finishReason == "length" ? "max_tokens" : "end_turn")
                return frame(
                    AnthropicStreamEvent(
                        type: "message_delta", delta: .init(stopReason: stopReason),
                        usage: AnthropicUsage(outputTokens: answer.completionTokens)),
                    event: "message_delta")
            case 5:
                step = 6
                return frame(AnthropicStreamEvent(type: "message_stop"), event: "message_stop")
            default:
                return nil
            }
        }
    }

    /// A frame whose JSON is broken, as a buggy upstream might send.
    static func malformedFrame(anthropic: Bool) -> ByteBuffer {
        anthropic
            ? ByteBuffer(
                string:
                    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\n\n"
            )
            : ByteBuffer(string: "data: {\"id\":\"chatcmpl-mock\",\"choices\":[{\"delta\":{\"content\":\n\n")
    }

    // MARK: Errors

    static func openAIError(status: Int) -> APIErrorEnvelope {
        switch status {
        case 429:
            APIErrorEnvelope(
                message: "Rate limit reached for requests (mock)", type: "requests", code: "rate_limit_exceeded")
        case 401:
            APIErrorEnvelope(
                message: "Incorrect API key provided (mock)", type: "invalid_request_error", code: "invalid_api_key")
        case 403:
            APIErrorEnvelope(
                message: "Permission denied (mock)", type: "invalid_request_error", code: "permission_denied")
        case 400:
            // What OpenAI answers for a prompt too long for the model: SDKs branch on the code.
            APIErrorEnvelope(
                error: .init(
                    message: "Invalid request (mock): this model's maximum context length is 128000 tokens",
                    type: "invalid_request_error", param: "messages", code: .string("context_length_exceeded")))
        case 400..<500:
            APIErrorEnvelope(message: "Invalid request (mock)", type: "invalid_request_error")
        default:
            APIErrorEnvelope(message: "The server had an error processing your request (mock)", type: "server_error")
        }
    }

    static func anthropicError(status: Int) -> JSONValue {
        let (type, message): (String, String) =
            switch status {
            case 429: ("rate_limit_error", "Number of requests has exceeded your rate limit (mock)")
            case 401: ("authentication_error", "invalid x-api-key (mock)")
            case 403: ("permission_error", "Your API key does not have permission (mock)")
            case 404: ("not_found_error", "Not found (mock)")
            case 413: ("request_too_large", "Request exceeds the maximum allowed size (mock)")
            case 529: ("overloaded_error", "Overloaded (mock)")
            case 400..<500: ("invalid_request_error", "Invalid request (mock)")
            default: ("api_error", "Internal server error (mock)")
            }
        return ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
    }
}
