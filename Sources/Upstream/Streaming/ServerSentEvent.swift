/// One server-sent event, as dispatched by ``ServerSentEventParser``.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, or `nil` for the default type (`message`).
    public var event: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String
    /// The last `id:` seen, if any.
    public var id: String?
    /// The `retry:` field in milliseconds, if this event had one.
    public var retry: Int?

    /// Creates a value; each parameter sets the property of the same name.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
