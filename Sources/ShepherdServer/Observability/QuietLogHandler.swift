public import Logging

/// A log handler that discards every message but keeps metadata, as a server's logger must
/// (Hummingbird reads the request id back from it): for a server run without a log of its own,
/// such as the demo's behind its dashboard, or a test's.
///
/// ```swift
/// let quiet = Logger(label: "demo", factory: { _ in QuietLogHandler() })
/// ```
public struct QuietLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .critical

    /// Creates a handler.
    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {}
}
