import AsyncHTTPClient
public import Canary
import NIOCore
import NIOFoundationCompat
public import Shepherd

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The admin API of a running `shepherd serve`, over HTTP, with errors an operator can act on.
///
/// Every call sends `Authorization: Bearer <token>` and decodes the server's answer into the
/// same types the server encodes (``RolloutStatus``, ``StoredEvent``, ``EvaluationRecord``). A
/// failure is an ``AdminClientError`` naming the URL and what to do (never the token).
///
/// The client owns an `HTTPClient`: call ``shutdown()`` when done, or use
/// ``withClient(url:token:timeout:_:)``, which does it for you whatever happens.
///
/// ```swift
/// let status = try await AdminClient.withClient(url: "http://127.0.0.1:8080", token: token) { admin in
///     try await admin.status()
/// }
/// print(status.state.phase, status.effectivePercent)
/// ```
public final class AdminClient: Sendable {
    /// The server's base URL, without a trailing slash: `http://127.0.0.1:8080`.
    public let url: String
    /// The longest a call may take, connection included.
    public let timeout: Duration
    private let token: String?
    private let http: HTTPClient

    /// The largest answer read (a history of 10,000 evaluations is about 15 MB).
    static let maxResponseBytes = 32 * 1024 * 1024

    /// Creates a client. Nothing is sent until the first call.
    ///
    /// - Parameters:
    ///   - url: the server's address, `http://HOST:PORT` (the `listen` of `shepherd serve`).
    ///   - token: the admin token (`SHEPHERD_ADMIN_TOKEN` of the server); `nil` or empty makes every
    ///     call fail with ``AdminClientError/Code/missingToken``.
    ///   - timeout: the longest a call may take. Default 10 s.
    public init(url: String, token: String?, timeout: Duration = .seconds(10)) {
        var base = TextFormat.trimmed(url)
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(min(2, max(1, Int64(inSeconds(timeout).rounded(.up)))))))
        // The admin API never redirects; following one could carry the token elsewhere.
        configuration.redirectConfiguration = .disallow
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the client's connections. Call it once, when done; later calls fail.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Runs `body` with a new client and shuts the client down afterwards, also when `body` throws.
    ///
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws (``AdminClientError`` for the client's own calls).
    public static func withClient<R: Sendable>(
        url: String, token: String?, timeout: Duration = .seconds(10),
        _ body: (AdminClient) async throws -> R
    ) async throws -> R {
        let client = AdminClient(url: url, token: token, timeout: timeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: Reading

    /// `GET /admin/status`: the rollout, both paths' health, the verdict and the next step.
    ///
    /// - Throws: ``AdminClientError``.
    public func status() async throws -> RolloutStatus {
        try await send(.get, "status", as: RolloutStatus.self)
    }

    /// `GET /admin/events`: audit events, oldest first.
    ///
    /// - Parameters:
    ///   - since: only events at or after this time (`nil`: all).
    ///   - limit: the most recent `limit` events (1…10000; `nil`: the server's default, 100).
    /// - Throws: ``AdminClientError``.
    public func events(since: WallClock.Instant? = nil, limit: Int? = nil) async throws -> [StoredEvent] {
        try await send(.get, "events", query: Self.query(since: since, limit: limit), as: EventsAnswer.self).events
    }

    /// `GET /admin/history`: the latest evaluations' health records, oldest first (for sparklines).
    ///
    /// - Parameters:
    ///   - since: only evaluations at or after this time (`nil`: all).
    ///   - limit: the most recent `limit` evaluations (1…10000; `nil`: the server's default, 120).
    /// - Throws: ``AdminClientError``.
    public func history(since: WallClock.Instant? = nil, limit: Int? = nil) async throws -> [EvaluationRecord] {
        try await send(.get, "history", query: Self.query(since: since, limit: limit), as: HistoryAnswer.self)
            .evaluations
    }

    // MARK: Commands

    /// `POST /admin/<command>`: promote, pause, resume or roll back the ramp.
    ///
    /// - Parameters:
    ///   - command: what to do.
    ///   - reason: recorded in the audit log with the transition (`nil`: "admin API").
    /// - Returns: the transition and the state after it.
    /// - Throws: ``AdminClientError``; ``AdminClientError/Code/notAllowed`` (409) carries the
    ///   server's reason when the phase does not allow the command (e.g. resume while ramping).
    @discardableResult
    public func apply(_ command: AdminCommand, reason: String? = nil) async throws -> AdminCommandResult {
        try await send(.post, command.path, body: CommandBody(reason: reason), as: AdminCommandResult.self)
    }

    /// `POST /admin/percent`: sets the canary percentage directly (0 rolls back, the maximum promotes).
    ///
    /// - Throws: ``AdminClientError``.
    @discardableResult
    public func setPercent(_ percent: Double, reason: String? = nil) async throws -> AdminCommandResult {
        try await send(
            .post, "percent", body: PercentBody(percent: percent, reason: reason), as: AdminCommandResult.self)
    }

    /// `POST /admin/rollback-switch`: engages or releases the rollback switch's live override.
    ///
    /// Releasing the override does not release the other sources (`SHEPHERD_ROLLBACK`, the flag
    /// file): the answer's `sources` says what still holds the switch.
    ///
    /// - Throws: ``AdminClientError``.
    @discardableResult
    public func setRollbackSwitch(engaged: Bool, reason: String? = nil) async throws -> RollbackSwitchResult {
        try await send(
            .post, "rollback-switch", body: SwitchBody(engaged: engaged, reason: reason), as: RollbackSwitchResult.self)
    }

    // MARK: Wire

    private struct EventsAnswer: Decodable { var events: [StoredEvent] }
    private struct HistoryAnswer: Decodable { var evaluations: [EvaluationRecord] }
    private struct CommandBody: Encodable { var reason: String? }
    private struct PercentBody: Encodable {
        var percent: Double
        var reason: String?
    }
    private struct SwitchBody: Encodable {
        var engaged: Bool
        var reason: String?
    }
    private struct ErrorEnvelope: Decodable {
        struct Body: Decodable { var message: String? }
        var error: Body
    }
    private struct NoBody: Encodable {}

    private static func query(since: WallClock.Instant?, limit: Int?) -> [(String, String)] {
        var items: [(String, String)] = []
        if let since { items.append(("since", TextFormat.fixed(since.unixSeconds, 3))) }
        if let limit { items.append(("limit", String(limit))) }
        return items
    }

    /// The two methods the admin API uses (spelled here so that NIOHTTP1 need not be imported).
    private enum Method: String {
        case get = "GET"
        case post = "POST"
    }

    private func send<T: Decodable>(
        _ method: Method, _ path: String, query: [(String, String)] = [], as type: T.Type
    ) async throws -> T {
        try await send(method, path, query: query, body: NoBody?.none, as: type)
    }

    private func send<T: Decodable, B: Encodable>(
        _ method: Method, _ path: String, query: [(String, String)] = [], body: B?, as type: T.Type
    ) async throws -> T {
        guard Self.isServerURL(url) else { throw AdminClientError(code: .invalidURL, url: url) }
        guard let token else { throw AdminClientError(code: .missingToken, url: url) }
        var target = "\(url)/admin/\(path)"
        if !query.isEmpty { target += "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&") }
        var request = HTTPClientRequest(url: target)
        request.method = method == .get ? .GET : .POST
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.headers.add(name: "accept", value: "application/json")
        request.headers.add(name: "user-agent", value: "shepherd-operator")
        if let body {
            let encoder = JSONEncoder()
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try encoder.encode(body)))
        }

        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: TimeAmount(timeout))
            bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch let error as HTTPClientError where error == .invalidURL || error == .emptyHost || error == .emptyScheme
        {
            throw AdminClientError(code: .invalidURL, url: url)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw AdminClientError(code: .unreachable, url: url, detail: Self.transportReason(error, timeout: timeout))
        }

        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let message = redact(Self.serverMessage(bytes))
            let code: AdminClientError.Code =
                switch status {
                case 401: .unauthorized
                case 404: .adminDisabled
                case 409: .notAllowed
                case 503: .storeUnavailable
                default: .server
                }
            throw AdminClientError(code: code, url: url, httpStatus: status, detail: message)
        }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw AdminClientError(
                code: .invalidResponse, url: url, httpStatus: status,
                detail: "\(method) /admin/\(path): \(Self.explain(error))")
        }
    }

    /// `http://` or `https://` followed by a host.
    static func isServerURL(_ url: String) -> Bool {
        for scheme in ["http://", "https://"] where url.hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/") && !rest.contains(" ")
        }
        return false
    }

    /// The server's message from its OpenAI error envelope, else the start of the body.
    private static func serverMessage(_ bytes: ByteBuffer) -> String {
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: bytes),
            let message = envelope.error.message
        {
            return message
        }
        let text = TextFormat.trimmed(String(buffer: bytes))
        if text.isEmpty { return "no message" }
        return TerminalWidth.truncate(TextFormat.oneLine(text), 200)
    }

    /// Whatever the server says, the token is not repeated.
    private func redact(_ text: String) -> String {
        guard let token, text.contains(token) else { return text }
        return text.replacing(token, with: "[redacted]")
    }

    /// A short reason for a transport failure: `connection refused`, `no answer within 10s`, ….
    static func transportReason(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer within \(DurationText.format(timeout))"
            case .remoteConnectionClosed: return "the connection was closed before an answer"
            default: break
            }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("refused") { return "connection refused" }
        if lowered.contains("timed out") || lowered.contains("timeout") { return "connection timed out" }
        if lowered.contains("dns") || lowered.contains("name or service") || lowered.contains("getaddrinfo") {
            return "host name not found"
        }
        if lowered.contains("unreachable") { return "network unreachable" }
        return TerminalWidth.truncate(TextFormat.oneLine(text), 160)
    }

    private static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.isEmpty ? "the body" : String(joined.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
