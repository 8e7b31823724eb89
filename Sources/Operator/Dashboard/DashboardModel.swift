public import Shepherd

/// Everything one frame of the dashboard shows: what the server said last, and what the
/// operator did last. A value, so a frame is a pure function of it (``DashboardRenderer``).
///
/// ```swift
/// let model = DashboardModel(server: admin.url, status: try await admin.status(),
///                            history: try await admin.history(), events: try await admin.events(limit: 20))
/// let lines = DashboardRenderer.render(model, width: 80, height: 30, style: .monochrome)
/// ```
public struct DashboardModel: Sendable {
    /// The server's address, shown in the title bar.
    public var server: String
    /// The latest status, `nil` until the first one arrives.
    public var status: RolloutStatus?
    /// The latest evaluations, oldest first (the sparklines).
    public var history: [EvaluationRecord]
    /// The latest audit events, oldest first.
    public var events: [StoredEvent]
    /// The outcome of the operator's last key: a transition, or the server's refusal.
    public var message: String?
    /// Whether that outcome was a failure (drawn in red).
    public var messageIsError: Bool
    /// A question waiting for `y`/`n` (the rollback confirmation); shown instead of the message.
    public var prompt: String?
    /// Why the latest refresh failed, while older data stay on screen.
    public var connectionProblem: String?

    /// Creates a model.
    public init(
        server: String, status: RolloutStatus? = nil, history: [EvaluationRecord] = [], events: [StoredEvent] = [],
        message: String? = nil, messageIsError: Bool = false, prompt: String? = nil, connectionProblem: String? = nil
    ) {
        self.server = server
        self.status = status
        self.history = history
        self.events = events
        self.message = message
        self.messageIsError = messageIsError
        self.prompt = prompt
        self.connectionProblem = connectionProblem
    }
}
