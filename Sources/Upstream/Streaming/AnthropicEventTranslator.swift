#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Adapts ``AnthropicStreamTranslator`` to raw server-sent events.
struct AnthropicEventTranslator: EventStreamTranslator {
    var translator: AnthropicStreamTranslator
    var isFinished: Bool { translator.isFinished }
    var terminalEventName: String { "message_stop" }

    mutating func translate(_ event: ServerSentEvent) throws -> [ChatChunk] {
        let decoded: AnthropicStreamEvent
        do {
            decoded = try JSONDecoder().decode(AnthropicStreamEvent.self, from: Data(event.data.utf8))
        } catch {
            throw ProviderError(
                code: .malformedResponse, failureClass: UpstreamTransport.unreadableAnswerClass,
                provider: translator.provider,
                message: "stream event \(event.event ?? "message") is not valid JSON: "
                    + UpstreamTransport.shortDescription(of: error),
                upstreamMayHaveCompleted: true)
        }
        return try translator.translate(decoded)
    }
}
