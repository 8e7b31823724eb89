import Canary
import Hummingbird
import Logging
import Resilience
import Shepherd

/// The operator's API under `/admin/`, behind `Authorization: Bearer <admin token>`.
///
/// Registered only when ``ServerConfiguration/adminToken`` is set; otherwise every `/admin`
/// path is a 404, as if it did not exist.
///
/// | route | body | answer |
/// | --- | --- | --- |
/// | `GET /admin/status` | | ``RolloutStatus`` |
/// | `GET /admin/events?since=<unix s>&limit=N` | | `{"events": [StoredEvent]}` (oldest first, limit 1…10000, default 100) |
/// | `GET /admin/history?since=<unix s>&limit=N` | | `{"evaluations": [EvaluationRecord]}` (oldest first, default 120) |
/// | `POST /admin/promote`, `pause`, `resume`, `rollback` | `{"reason": "…"}` (optional) | `{"event", "state", "effectivePercent", "rollbackEngaged"}` |
/// | `POST /admin/percent` (or `set-percent`) | `{"percent": 25, "reason": "…"}` | as above |
/// | `POST /admin/rollback-switch` | `{"engaged": true, "reason": "…"}` | `{"engaged", "changed", "sources", "effectivePercent", "stored"}` |
///
/// A command the phase does not allow is a 409 carrying the refusal's reason; a store that
/// cannot record the command is a 503 (and nothing changed).
struct AdminRoutes<C: DeadlineClock>: Sendable where C.Duration == Duration {
    let router: MigrationRouter<C>
    /// Admin bodies are small: anything beyond this is a mistake.
    static var maxBodyBytes: Int { 64 * 1024 }

    func register(on group: RouterGroup<BasicRequestContext>, table: RouteTable) {
        group.get("status") { _, _ in JSONBody.response(self.router.status()) }
        group.get("events") { request, _ in try await self.events(request) }
        group.get("history") { request, _ in try await self.history(request) }
        let commands: [(String, RampCommand)] = [
            ("promote", .promote), ("pause", .pause), ("resume", .resume), ("rollback", .rollback),
        ]
        for (name, command) in commands {
            group.post(RouterPath(stringLiteral: name)) { request, context in
                let body = try await Self.body(CommandBody.self, request)
                return try await self.apply(command, reason: body?.reason, context: context)
            }
            table.record(.post, "/admin/\(name)")
        }
        for name in ["percent", "set-percent"] {
            group.post(RouterPath(stringLiteral: name)) { request, context in
                guard let body = try await Self.body(PercentBody.self, request), let percent = body.percent else {
                    throw OpenAIError.missing("percent", "send {\"percent\": 25, \"reason\": \"…\"}")
                }
                guard percent.isFinite, (0...100).contains(percent) else {
                    throw OpenAIError.invalid("percent", "`percent` must be between 0 and 100 (got \(percent)).")
                }
                return try await self.apply(.setPercent(percent), reason: body.reason, context: context)
            }
            table.record(.post, "/admin/\(name)")
        }
        group.post("rollback-switch") { request, context in try await self.rollbackSwitch(request, context: context) }
        table.record(.get, "/admin/status")
        table.record(.get, "/admin/events")
        table.record(.get, "/admin/history")
        table.record(.post, "/admin/rollback-switch")
    }

    // MARK: Handlers

    private func events(_ request: Request) async throws -> Response {
        let (since, limit) = try Self.window(request, defaultLimit: 100)
        return JSONBody.response(
            EventsAnswer(
                events: try await Self.fromStore { try await router.controller.events(since: since, limit: limit) }))
    }

    private func history(_ request: Request) async throws -> Response {
        let (since, limit) = try Self.window(request, defaultLimit: 120)
        return JSONBody.response(
            HistoryAnswer(
                evaluations: try await Self.fromStore {
                    try await router.controller.history(since: since, limit: limit)
                }))
    }

    /// A read of the store; a store that cannot answer is a 503 (``storeUnavailable(_:)``).
    private static func fromStore<T>(_ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch let error as RolloutStoreError {
            throw storeUnavailable(error)
        }
    }

    /// The `since` (Unix seconds) and `limit` (1…10000) query parameters.
    private static func window(_ request: Request, defaultLimit: Int) throws -> (WallClock.Instant?, Int) {
        let query = request.uri.queryParameters
        var since: WallClock.Instant?
        if let raw = query.get("since") {
            guard let seconds = Double(raw), seconds.isFinite, seconds >= 0 else {
                throw OpenAIError.invalid("since", "`since` must be a time in Unix seconds (got \"\(raw)\").")
            }
            since = WallClock.Instant(unixSeconds: seconds)
        }
        var limit = defaultLimit
        if let raw = query.get("limit") {
            guard let value = Int(raw), (1...10_000).contains(value) else {
                throw OpenAIError.invalid("limit", "`limit` must be a whole number from 1 to 10000 (got \"\(raw)\").")
            }
            limit = value
        }
        return (since, limit)
    }

    private func apply(_ command: RampCommand, reason: String?, context: BasicRequestContext) async throws -> Response {
        let reason = reason.flatMap { $0.isEmpty ? nil : $0 } ?? "admin API"
        do {
            let event = try await router.controller.apply(command, reason: reason)
            context.logger.notice(
                "admin command applied", metadata: ["command": "\(command)", "summary": "\(event.summary)"])
            return JSONBody.response(
                CommandAnswer(
                    event: event, state: router.controller.state, effectivePercent: router.effectivePercent,
                    rollbackEngaged: router.rollbackSwitch.isEngaged))
        } catch let error as RampCommandError {
            throw OpenAIError(.conflict, error.description, code: "command_not_allowed")
        } catch let error as RolloutStoreError {
            throw Self.storeUnavailable(error)
        }
    }

    private func rollbackSwitch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let body = try await Self.body(SwitchBody.self, request), let engaged = body.engaged else {
            throw OpenAIError.missing(
                "engaged", "send {\"engaged\": true, \"reason\": \"…\"} (false releases the override)")
        }
        let reason = body.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "admin API"
        var changed = false
        var stored = true
        do {
            changed = try await router.controller.setRollbackOverride(engaged: engaged, reason: reason)
        } catch let error as RolloutStoreError {
            // The emergency brake holds in this process even so (it engaged before the store was
            // asked); a release needs the store, or the stored switch would engage it again.
            guard engaged else { throw Self.storeUnavailable(error) }
            changed = router.rollbackSwitch.isEngaged
            stored = false
            context.logger.error("rollback switch engaged here but not stored (other replicas are not told): \(error)")
        }
        context.logger.notice(
            "rollback switch override \(engaged ? "engaged" : "released") by the admin API",
            metadata: ["changed": "\(changed)", "reason": "\(reason)"])
        let state = router.rollbackSwitch.state
        return JSONBody.response(
            SwitchAnswer(
                engaged: state.isEngaged, changed: changed,
                sources: Dictionary(uniqueKeysWithValues: state.reasons.map { ($0.key.rawValue, $0.value) }),
                effectivePercent: router.effectivePercent, stored: stored))
    }

    // MARK: Bodies

    /// The optional JSON body of a command: `nil` when empty.
    private static func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        let buffer = try await JSONBody.collect(request, limit: maxBodyBytes)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONBody.decode(type, from: buffer)
        } catch {
            let (param, message) = JSONBody.explain(error)
            if param == nil, case .dataCorrupted = error as? DecodingError { throw OpenAIError.malformedJSON() }
            throw OpenAIError.invalid(param, "Invalid request: \(message).")
        }
    }

    private static func storeUnavailable(_ error: RolloutStoreError) -> OpenAIError {
        OpenAIError(
            .serviceUnavailable, "The rollout store is unavailable, nothing changed: \(error).", type: "api_error",
            code: "store_unavailable")
    }

    struct CommandBody: Decodable {
        var reason: String?
    }

    struct PercentBody: Decodable {
        var percent: Double?
        var reason: String?
    }

    struct SwitchBody: Decodable {
        var engaged: Bool?
        var reason: String?
    }

    struct EventsAnswer: Encodable {
        var events: [StoredEvent]
    }

    struct HistoryAnswer: Encodable {
        var evaluations: [EvaluationRecord]
    }

    struct CommandAnswer: Encodable {
        var event: RampEvent<WallClock.Instant>
        var state: RampState<WallClock.Instant>
        var effectivePercent: Double
        var rollbackEngaged: Bool
    }

    struct SwitchAnswer: Encodable {
        var engaged: Bool
        var changed: Bool
        var sources: [String: String]
        var effectivePercent: Double
        /// Whether the store holds it (so that every replica follows, and a restart keeps it).
        var stored: Bool
    }
}
