/// Folds the chunks of a streamed answer into the complete answer it amounts to.
///
/// Used to cost a stream (its usage arrives on the last chunk), to record a
/// streamed answer whole, and in tests to compare a stream with the
/// equivalent complete answer.
///
/// ```swift
/// var accumulator = ChatStreamAccumulator()
/// for try await chunk in stream { accumulator.add(chunk) }
/// accumulator.text        // the first answer's text
/// accumulator.usage       // from the final usage chunk
/// ```
public struct ChatStreamAccumulator: Sendable {
    private struct Answer: Sendable {
        var role: ChatRole = .assistant
        var content: String?
        var refusal: String?
        var toolCalls: [Int: ToolCall] = [:]
        var finishReason: String?
    }

    /// The answer's identifier (from the first chunk that had one).
    public private(set) var id = ""
    /// The model, as the chunks named it.
    public private(set) var model = ""
    /// Unix seconds, from the first chunk.
    public private(set) var created: Int64 = 0
    /// The usage, from the usage chunk.
    public private(set) var usage: Usage?
    /// How many chunks were added.
    public private(set) var chunkCount = 0
    private var answers: [Int: Answer] = [:]

    /// Creates a value; each parameter sets the property of the same name.
    public init() {}

    /// Adds the next chunk.
    public mutating func add(_ chunk: ChatChunk) {
        chunkCount += 1
        if id.isEmpty { id = chunk.id }
        if model.isEmpty { model = chunk.model }
        if created == 0 { created = chunk.created }
        if let chunkUsage = chunk.usage { usage = chunkUsage }
        for choice in chunk.choices {
            var answer = answers[choice.index] ?? Answer()
            if let role = choice.delta.role { answer.role = role }
            if let content = choice.delta.content { answer.content = (answer.content ?? "") + content }
            if let refusal = choice.delta.refusal { answer.refusal = (answer.refusal ?? "") + refusal }
            for (position, call) in (choice.delta.toolCalls ?? []).enumerated() {
                let key = call.index ?? position
                var merged = answer.toolCalls[key] ?? ToolCall(index: nil, id: nil, type: nil, function: nil)
                if let id = call.id { merged.id = id }
                if let type = call.type { merged.type = type }
                if let function = call.function {
                    var mergedFunction = merged.function ?? ToolCall.Function()
                    if let name = function.name { mergedFunction.name = (mergedFunction.name ?? "") + name }
                    if let arguments = function.arguments {
                        mergedFunction.arguments = (mergedFunction.arguments ?? "") + arguments
                    }
                    merged.function = mergedFunction
                }
                answer.toolCalls[key] = merged
            }
            if let finishReason = choice.finishReason { answer.finishReason = finishReason }
            answers[choice.index] = answer
        }
    }

    /// The first answer's text so far.
    public var text: String { answers[0]?.content ?? "" }

    /// The complete answer the chunks amount to.
    public func response(metadata: ResponseMetadata? = nil) -> ChatResponse {
        let choices = answers.keys.sorted().map { index -> ChatResponse.Choice in
            let answer = answers[index]!
            let calls = answer.toolCalls.keys.sorted().map { key -> ToolCall in
                var call = answer.toolCalls[key]!
                call.index = nil
                if call.type == nil { call.type = "function" }
                return call
            }
            let message = ChatMessage(
                role: answer.role, content: answer.content.map(MessageContent.text),
                toolCalls: calls.isEmpty ? nil : calls, refusal: answer.refusal)
            return ChatResponse.Choice(index: index, message: message, finishReason: answer.finishReason)
        }
        return ChatResponse(
            id: id, created: created, model: model, choices: choices, usage: usage, metadata: metadata)
    }
}
