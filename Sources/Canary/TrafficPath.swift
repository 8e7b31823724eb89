/// One of the two paths a request can take during a migration.
public enum TrafficPath: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The application's existing direct-provider client: the baseline.
    case legacy
    /// The OpenAI-compatible gateway being migrated to: the canary.
    case relay

    public var description: String { rawValue }
}
