import Canary
import Hummingbird
import Logging
import MockProvider
import Shepherd
import ShepherdServer
import ShepherdTesting
import Synchronization
import Testing
import Upstream

/// The admin token of the live servers: it must never appear in any output.
let adminToken = "operator-admin-SECRET-token"

/// A real `shepherd serve` stack on loopback, in process: two mock providers, a router over them,
/// and the Shepherd application over the router, listening on a free port.
///
/// The router runs on a manual clock and a fixed calendar epoch, so nothing moves unless a test
/// moves it: the ramp changes only by the admin API (what these tests drive) or by
/// ``evaluate()``.
struct LiveServer: Sendable {
    let router: MigrationRouter<ManualClock>
    let clock: ManualClock
    let store: InMemoryRolloutStore
    let port: Int
    let rollbackSwitch: RollbackSwitch

    var url: String { "http://127.0.0.1:\(port)" }

    static let policy = TestRollout.policy("operator-test", minSamples: 20)

    /// Runs `body` against a live server; the server stops when `body` returns or throws.
    ///
    /// - Parameter adminToken: the server's admin token; `nil` turns the admin API off (404).
    static func with<R: Sendable>(
        adminToken token: String? = adminToken, _ body: @Sendable (LiveServer) async throws -> R
    ) async throws -> R {
        let quiet = Logger(label: "operator-tests", factory: { _ in QuietLogHandler() })
        return try await MockUpstreams.with(
            clock: ManualClock(), legacyFlavor: .openAICompatible, keys: false, logger: quiet
        ) { upstreams in
            try await serve(legacy: upstreams.legacy, relay: upstreams.relay, token: token, logger: quiet, body)
        }
    }

    private static func serve<R: Sendable>(
        legacy: any ChatProvider, relay: any ChatProvider, token: String?, logger: Logger,
        _ body: @Sendable (LiveServer) async throws -> R
    ) async throws -> R {
        let clock = ManualClock()
        let store = InMemoryRolloutStore()
        let rollbackSwitch = RollbackSwitch()
        let router = try await MigrationRouter(
            legacy: legacy, relay: relay, configuration: .init(policy: policy), store: store,
            rollbackSwitch: rollbackSwitch, clock: clock,
            wallNow: TestRollout.wallNow(clock), seed: 7, logger: logger)
        let bound = PortSignal()
        let app = try buildShepherdApplication(
            router: router, store: store,
            configuration: ServerConfiguration(port: 0, adminToken: token.map { Secret($0) }),
            registry: TestMetrics.registry, logger: logger, onServerRunning: { port in bound.set(port) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            do {
                let port = try await bound.wait()
                let result = try await body(
                    LiveServer(router: router, clock: clock, store: store, port: port, rollbackSwitch: rollbackSwitch))
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Sends `count` keyed chat calls through the router, so that both paths have numbers.
    func sendTraffic(_ count: Int) async throws {
        for i in 0..<count {
            var request = ChatRequest(
                model: "gpt-4.1", messages: [.init(role: .user, content: .text("Say something about canaries."))])
            request.user = "user-\(i)"
            _ = try await router.complete(request)
        }
    }
}

/// The port the server bound, delivered once to whoever waits for it.
final class PortSignal: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    func set(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func wait() async throws -> Int {
        await withCheckedContinuation { continuation in
            let port = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}
