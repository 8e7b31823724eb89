/// Turns an upstream's server-sent events into the frames of an OpenAI stream: one per wire format.
protocol EventStreamTranslator: Sendable {
    /// Translates one event (its `event:` type and its data bytes, valid during the call) and
    /// appends the frames it makes, if any (pings and block boundaries make none).
    mutating func translate(event: String?, data: UnsafeRawBufferPointer, into frames: inout [StreamFrame]) throws
    /// Whether the terminal event (`[DONE]`, `message_stop`) has been read.
    var isFinished: Bool { get }
    /// What the terminal event is called, for the truncation error.
    var terminalEventName: String { get }
}
