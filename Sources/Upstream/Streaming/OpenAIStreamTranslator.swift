import Canary

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OpenAI chat-completions events: one JSON chunk per event, `[DONE]` at the end,
/// and possibly an `{"error": …}` object in place of a chunk.
struct OpenAIStreamTranslator: EventStreamTranslator {
    let provider: String
    private(set) var isFinished = false
    var terminalEventName: String { "[DONE]" }

    init(provider: String) {
        self.provider = provider
    }

    mutating func translate(_ event: ServerSentEvent) throws -> [ChatChunk] {
        let data = event.data
        if data == "[DONE]" {
            isFinished = true
            return []
        }
        let bytes = Data(data.utf8)
        if event.event == "error" || data.hasPrefix("{\"error\"") || data.hasPrefix("{ \"error\"") {
            if let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: bytes) {
                throw Self.streamError(envelope.error, provider: provider)
            }
        }
        do {
            return [try JSONDecoder().decode(ChatChunk.self, from: bytes)]
        } catch {
            throw ProviderError(
                code: .malformedResponse, failureClass: UpstreamTransport.unreadableAnswerClass, provider: provider,
                message: "stream event is not a valid chat.completion.chunk: "
                    + UpstreamTransport.shortDescription(of: error),
                upstreamMayHaveCompleted: true)
        }
    }

    /// Classifies an error reported inside a stream by its type or code.
    static func streamError(_ body: APIErrorEnvelope.Body, provider: String) -> ProviderError {
        let type = body.type ?? body.code?.stringValue
        let text = (type ?? "") + " " + (body.code?.stringValue ?? "")
        let failureClass: FailureClass
        if text.contains("rate_limit") {
            failureClass = .rateLimited
        } else if text.contains("timeout") {
            failureClass = .timeout
        } else if text.contains("auth") || text.contains("permission") || text.contains("api_key") {
            failureClass = .authError
        } else if text.contains("invalid_request") || text.contains("not_found") {
            failureClass = .clientError
        } else {
            failureClass = .serverError
        }
        return ProviderError(
            code: .streamError, failureClass: failureClass, provider: provider, message: body.message,
            upstreamType: type)
    }
}
