/// Turns an upstream's server-sent events into OpenAI chunks: one per wire format.
protocol EventStreamTranslator: Sendable {
    /// Translates one event; may return no chunk (pings, block boundaries) or several.
    mutating func translate(_ event: ServerSentEvent) throws -> [ChatChunk]
    /// Whether the terminal event (`[DONE]`, `message_stop`) has been read.
    var isFinished: Bool { get }
    /// What the terminal event is called, for the truncation error.
    var terminalEventName: String { get }
}
