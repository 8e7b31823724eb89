public import Canary

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The normalisation between OpenAI chat completions and Anthropic's Messages API.
///
/// Pure functions, so that the golden tests can pin them down without a
/// network: requests go OpenAI → Anthropic, answers and stream events come
/// back Anthropic → OpenAI (see ``AnthropicStreamTranslator`` for events).
///
/// | OpenAI                                   | Anthropic                                  |
/// |------------------------------------------|--------------------------------------------|
/// | `system` / `developer` messages          | `system` (joined with a blank line)        |
/// | `assistant.tool_calls`                   | `tool_use` blocks (arguments parsed)       |
/// | `tool` messages                          | `tool_result` blocks in a `user` turn      |
/// | `max_completion_tokens` / `max_tokens`   | `max_tokens` (a default when absent)       |
/// | `stop`                                   | `stop_sequences`                           |
/// | `tools[].function`                       | `tools[]` with `input_schema`              |
/// | `tool_choice` auto / required / none / f | `auto` / `any` / `none` / `tool`           |
/// | `user`                                   | `metadata.user_id`                         |
/// | finish `stop` / `length` / `tool_calls`  | `end_turn`, `stop_sequence` / `max_tokens` / `tool_use` |
public enum AnthropicTranslation {
    /// Builds the Messages API request for an OpenAI-shaped request.
    ///
    /// Consecutive turns of the same role are merged (Anthropic wants them
    /// alternating); OpenAI-only options with no Anthropic equivalent
    /// (`response_format`, `n`, `seed`, penalties, unknown keys) are not sent.
    ///
    /// - Parameters:
    ///   - request: the OpenAI-shaped request.
    ///   - model: the Anthropic model name to call (after any model mapping).
    ///   - defaultMaxTokens: used when the request sets no output limit (Anthropic requires one).
    public static func request(
        from request: ChatRequest, model: String, defaultMaxTokens: Int = 4096
    ) -> AnthropicMessagesRequest {
        var systemParts: [String] = []
        var messages: [AnthropicMessagesRequest.Message] = []

        func append(role: String, blocks: [AnthropicContentBlock]) {
            guard !blocks.isEmpty else { return }
            if let last = messages.last, last.role == role {
                messages[messages.count - 1].content.append(contentsOf: blocks)
            } else {
                messages.append(.init(role: role, content: blocks))
            }
        }

        for message in request.messages {
            switch message.role {
            case .system, .developer:
                let text = message.content?.text ?? ""
                if !text.isEmpty { systemParts.append(text) }
            case .assistant:
                var blocks = contentBlocks(message.content)
                for call in message.toolCalls ?? [] {
                    blocks.append(
                        AnthropicContentBlock(
                            type: "tool_use", id: call.id ?? "", name: call.function?.name ?? "",
                            input: parseArguments(call.function?.arguments)))
                }
                append(role: "assistant", blocks: blocks)
            case .tool, .function:
                let result = AnthropicContentBlock(
                    type: "tool_result", toolUseID: message.toolCallID ?? message.name ?? "",
                    content: .string(message.content?.text ?? ""))
                append(role: "user", blocks: [result])
            default:
                append(role: "user", blocks: contentBlocks(message.content))
            }
        }

        let tools = request.tools?.map { tool in
            AnthropicMessagesRequest.Tool(
                name: tool.function.name, description: tool.function.description,
                inputSchema: tool.function.parameters ?? ["type": "object", "properties": [:]])
        }
        return AnthropicMessagesRequest(
            model: model, maxTokens: request.outputTokenLimit ?? defaultMaxTokens, messages: messages,
            system: systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n"),
            stopSequences: request.stop.map(\.values), stream: request.stream == true ? true : nil,
            temperature: request.temperature, topP: request.topP, tools: tools,
            toolChoice: toolChoice(request.toolChoice, parallel: request.parallelToolCalls),
            metadata: request.user.map { ["user_id": .string($0)] })
    }

    /// Normalises a Messages API answer to the OpenAI shape.
    ///
    /// - Parameters:
    ///   - response: the Anthropic answer.
    ///   - model: the model name to report (the one the caller asked for, so the caller cannot tell the paths apart).
    ///   - created: Unix seconds for `created`.
    public static func response(from response: AnthropicMessagesResponse, model: String, created: Int64)
        -> ChatResponse
    {
        let text = response.content.filter { $0.type == "text" }.compactMap(\.text).joined()
        let calls = response.content.filter { $0.type == "tool_use" }.map { block in
            ToolCall(
                id: block.id, type: "function",
                function: .init(name: block.name, arguments: argumentsText(block.input ?? [:])))
        }
        let message = ChatMessage(
            role: .assistant, content: text.isEmpty && !calls.isEmpty ? nil : .text(text),
            toolCalls: calls.isEmpty ? nil : calls)
        return ChatResponse(
            id: chatID(response.id), created: created, model: model,
            choices: [.init(index: 0, message: message, finishReason: finishReason(response.stopReason))],
            usage: response.usage.openAIUsage)
    }

    /// What makes a complete (not streamed) answer something other than a Messages API message,
    /// or `nil` when it is one.
    ///
    /// The decoder is lenient (a stream's `message_start` carries a message with no content and
    /// no stop reason yet), so a JSON object with little more than an `id` decodes; translated,
    /// it would become an empty, successful chat completion. A finished message is a `message`
    /// from the `assistant` with a `stop_reason` (never null outside a stream): an answer
    /// without one is not Anthropic's, typically an OpenAI-compatible endpoint configured with
    /// the `anthropic` flavor.
    ///
    /// - Parameter response: a decoded answer of `POST /v1/messages`.
    /// - Returns: the problem in a few words, for a ``ProviderError/Code/malformedResponse``.
    public static func shapeProblem(of response: AnthropicMessagesResponse) -> String? {
        if response.type != "message" { return "answer has type \"\(response.type)\", not \"message\"" }
        if response.role != "assistant" { return "answer has role \"\(response.role)\", not \"assistant\"" }
        if response.stopReason == nil { return "answer has no stop_reason: not a finished Messages API message" }
        return nil
    }

    /// Maps Anthropic's `stop_reason` to OpenAI's `finish_reason`.
    public static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: nil
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"  // end_turn, stop_sequence, pause_turn
        }
    }

    /// The OpenAI-style identifier for an Anthropic message identifier.
    public static func chatID(_ messageID: String) -> String {
        "chatcmpl-" + (messageID.hasPrefix("msg_") ? String(messageID.dropFirst(4)) : messageID)
    }

    /// Classifies an Anthropic error type (`overloaded_error`, `rate_limit_error`, …).
    public static func failureClass(errorType: String) -> FailureClass {
        switch errorType {
        case "rate_limit_error": .rateLimited
        case "overloaded_error", "api_error": .serverError
        case "timeout_error": .timeout
        case "authentication_error", "permission_error": .authError
        case "invalid_request_error", "not_found_error", "request_too_large": .clientError
        default: .other
        }
    }

    // MARK: Pieces

    static func contentBlocks(_ content: MessageContent?) -> [AnthropicContentBlock] {
        switch content {
        case nil:
            return []
        case .text(let text):
            return text.isEmpty ? [] : [.text(text)]
        case .parts(let parts):
            return parts.compactMap { part -> AnthropicContentBlock? in
                switch part.type {
                case "text":
                    guard let text = part.text, !text.isEmpty else { return nil }
                    return .text(text)
                case "image_url":
                    guard let url = part.imageURL?.url else { return nil }
                    return AnthropicContentBlock(type: "image", source: imageSource(url))
                default:
                    // Anthropic-native blocks (`document`, …) sent through the OpenAI shape pass as they are.
                    return AnthropicContentBlock(type: part.type, text: part.text, extras: part.extras)
                }
            }
        }
    }

    /// `data:image/png;base64,…` becomes a base64 source; anything else a URL source.
    static func imageSource(_ url: String) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            let mediaType = header.split(separator: ";").first.map(String.init) ?? "image/png"
            return [
                "type": "base64", "media_type": .string(mediaType), "data": .string(String(url[comma...].dropFirst())),
            ]
        }
        return ["type": "url", "url": .string(url)]
    }

    static func toolChoice(_ choice: JSONValue?, parallel: Bool?) -> JSONValue? {
        var result: [String: JSONValue]
        switch choice {
        case .string("none")?: return ["type": "none"]
        case .string("required")?: result = ["type": "any"]
        case .string("auto")?: result = ["type": "auto"]
        case .object(let object)?:
            guard let name = object["function"]?["name"]?.stringValue else { return nil }
            result = ["type": "tool", "name": .string(name)]
        default:
            // No choice given: only `parallel_tool_calls: false` needs saying, as an `auto` choice.
            guard parallel == false else { return nil }
            result = ["type": "auto"]
        }
        if parallel == false { result["disable_parallel_tool_use"] = true }
        return .object(result)
    }

    static func parseArguments(_ arguments: String?) -> JSONValue {
        guard let arguments, !arguments.isEmpty,
            let value = try? JSONDecoder().decode(JSONValue.self, from: Data(arguments.utf8))
        else { return [:] }
        return value
    }

    /// Tool input as the JSON text OpenAI puts in `arguments` (keys sorted, so answers are reproducible).
    static func argumentsText(_ input: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(input) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
