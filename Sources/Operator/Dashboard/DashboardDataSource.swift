public import Shepherd

/// What one refresh of the dashboard reads.
public struct DashboardData: Sendable {
    /// The rollout's status.
    public var status: RolloutStatus
    /// The latest evaluations, oldest first; `nil` when they could not be read (the previous ones stay).
    public var history: [EvaluationRecord]?
    /// The latest events, oldest first; `nil` when they could not be read (the previous ones stay).
    public var events: [StoredEvent]?

    /// Creates a refresh.
    public init(status: RolloutStatus, history: [EvaluationRecord]?, events: [StoredEvent]?) {
        self.status = status
        self.history = history
        self.events = events
    }
}

/// Where a ``DashboardSession`` reads the rollout and sends the operator's commands.
///
/// ``AdminClient`` is the source for a server over HTTP. An in-process host (a demo that owns
/// the router) can conform its own type and skip the network.
public protocol DashboardDataSource: Sendable {
    /// Shown in the title bar: the server's URL, or a name.
    var displayName: String { get }

    /// Reads the status, and the latest `historyLimit` evaluations and `eventLimit` events.
    ///
    /// - Throws: when the status cannot be read (history and events are best effort).
    func refresh(historyLimit: Int, eventLimit: Int) async throws -> DashboardData

    /// Applies an operator's command, recording `reason` in the audit log.
    ///
    /// - Throws: an error whose description is shown to the operator (the server's refusal).
    func perform(_ command: AdminCommand, reason: String) async throws -> AdminCommandResult
}

extension AdminClient: DashboardDataSource {
    /// The server's URL.
    public var displayName: String { url }

    /// Reads status, history and events concurrently; history and events are `nil` when they fail
    /// (e.g. the store is unavailable) while the status could be read.
    public func refresh(historyLimit: Int, eventLimit: Int) async throws -> DashboardData {
        async let history = try? self.history(limit: historyLimit)
        async let events = try? self.events(limit: eventLimit)
        let status = try await self.status()
        return DashboardData(status: status, history: await history, events: await events)
    }

    /// `POST /admin/<command>`.
    public func perform(_ command: AdminCommand, reason: String) async throws -> AdminCommandResult {
        try await apply(command, reason: reason)
    }
}
