/// What the mock provider has done so far: for tests, the demo and `GET /mock/stats`.
public struct MockStats: Sendable, Hashable, Codable {
    /// Requests received (every route).
    public var requests = 0
    /// Answers completed normally (streams: sent to their terminal event).
    public var answered = 0
    /// Error answers by HTTP status (outages included).
    public var errorsByStatus: [Int: Int] = [:]
    /// Connections reset instead of answering.
    public var resets = 0
    /// Answers sent with malformed JSON.
    public var malformed = 0
    /// Streams cut before their terminal event.
    public var streamsCut = 0
    /// Streams that stalled.
    public var streamsStalled = 0
    /// Streams whose client went away before the end (cancellation reached the server).
    public var clientDisconnects = 0
    /// Body bytes of streamed answers written.
    public var streamedBytes = 0

    /// Creates a value; each parameter sets the property of the same name.
    public init() {}
}
