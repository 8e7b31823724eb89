/// How `shepherd serve` writes its log lines (`--log-format`, the file's `logging.format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's text lines: `2026-11-21T10:00:00+0000 info shepherd.serve : key=value message`.
    case text
    /// One JSON object per line (``JSONLogHandler``), for Loki, Elasticsearch and friends.
    case json
}
