/// How a stream cut ends.
public enum StreamCutMode: String, Sendable, Hashable, CaseIterable {
    /// The connection is closed mid-body (a reset).
    case abort
    /// The HTTP body ends properly, but without `[DONE]` / `message_stop`.
    case clean
}
