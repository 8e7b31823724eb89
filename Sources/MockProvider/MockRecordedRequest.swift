/// The last request the mock received, for tests that check what a client sent.
public struct MockRecordedRequest: Sendable, Hashable {
    /// `POST`, `GET`, …
    public var method: String
    /// The path, e.g. `/v1/messages`.
    public var path: String
    /// Headers by lower-cased name (repeated headers joined with `, `).
    public var headers: [String: String]
    /// The body as text (at most 1 MiB is kept).
    public var body: String

}
