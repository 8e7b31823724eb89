/// What the mock provider does with one request: decided up front, from the phase and the seeded generator.
public struct MockDecision: Sendable, Hashable {
    /// How the request ends.
    public enum Outcome: Sendable, Hashable {
        /// A normal answer; a stream may still be cut, stall, or carry a malformed event.
        case answer
        /// An HTTP error answer with this status (an outage included).
        case status(Int)
        /// The connection is reset instead of answering.
        case reset
        /// A 200 whose JSON is malformed (truncated body, or a broken stream event).
        case malformed
    }

    /// What a stream does after it started.
    public enum StreamFault: Sendable, Hashable {
        /// Cut after this many chunks.
        case cut(afterChunks: Int, mode: StreamCutMode)
        /// Stall after this many chunks, for this long (`nil`: until the client leaves).
        case stall(afterChunks: Int, duration: Duration?)
    }

    /// The index of the phase in force.
    public var phaseIndex: Int
    /// The phase in force.
    public var phase: FaultScenario.Phase
    /// Time before the head.
    public var latency: Duration
    /// How the request ends.
    public var outcome: Outcome
    /// For streamed answers, the fault after the start, if any.
    public var streamFault: StreamFault?
}
