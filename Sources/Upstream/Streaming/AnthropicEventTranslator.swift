#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Adapts ``AnthropicStreamTranslator`` to raw server-sent events: decodes each event and encodes
/// the OpenAI chunks it makes, with one decoder and one encoder for the whole stream.
struct AnthropicEventTranslator: EventStreamTranslator {
    var translator: AnthropicStreamTranslator
    var isFinished: Bool { translator.isFinished }
    var terminalEventName: String { "message_stop" }
    /// One decoder and one encoder for the stream, not one per event.
    private let decoder = JSONDecoder()
    private let encoder = StreamFrame.encoder()

    init(translator: AnthropicStreamTranslator) {
        self.translator = translator
    }

    mutating func translate(event: String?, data: UnsafeRawBufferPointer, into frames: inout [StreamFrame]) throws {
        let decoded: AnthropicStreamEvent
        do {
            decoded = try decoder.decode(AnthropicStreamEvent.self, from: Data(data))
        } catch {
            throw ProviderError(
                code: .malformedResponse, failureClass: UpstreamTransport.unreadableAnswerClass,
                provider: translator.provider,
                message: "stream event \(event ?? "message") is not valid JSON: "
                    + UpstreamTransport.shortDescription(of: error),
                upstreamMayHaveCompleted: true)
        }
        for chunk in try translator.translate(decoded) {
            frames.append(try StreamFrame(chunk, encoder: encoder))
        }
    }
}
