import Canary
import MockProvider
import Operator
import Shepherd
import ShepherdTesting
import Testing

/// The admin client against a real server on loopback.
struct AdminClientTests {
    /// Runs `body` with a client for `server` that is shut down afterwards.
    static func client<R: Sendable>(
        _ server: LiveServer, token: String? = adminToken, _ body: (AdminClient) async throws -> R
    ) async throws -> R {
        try await AdminClient.withClient(url: server.url, token: token, body)
    }

    /// The ``AdminClientError`` that `body` throws, or a recorded issue.
    static func failure(_ body: () async throws -> Void) async -> AdminClientError? {
        do {
            try await body()
            Issue.record("expected an AdminClientError, nothing was thrown")
            return nil
        } catch let error as AdminClientError {
            return error
        } catch {
            Issue.record("expected an AdminClientError, got \(error)")
            return nil
        }
    }

    @Test func statusDecodesTheServersRollout() async throws {
        try await LiveServer.with { server in
            try await server.sendTraffic(30)
            let status = try await Self.client(server) { try await $0.status() }
            #expect(status.rolloutID == "operator-test")
            #expect(status.state.phase == .ramping)
            #expect(status.effectivePercent == 5)
            #expect(status.ladder == LiveServer.policy.ramp.ladder)
            #expect(status.now == TestRollout.epoch)
            #expect(status.legacy.requests + status.relay.requests == 30)
            #expect(status.verdict.kind == .insufficientData)
            #expect(status.policy.minSamplesPerStep == 20)
            #expect(status.nextStep?.nextPercent == 7.5)
            #expect(!status.rollbackEngaged)
        }
    }

    @Test func eachCommandMovesTheRampAndIsAudited() async throws {
        try await LiveServer.with { server in
            try await Self.client(server) { admin in
                var result = try await admin.apply(.pause, reason: "looking at dashboards")
                #expect(result.state.phase == .paused)
                #expect(server.router.controller.state.phase == .paused)
                #expect(result.event.reason.kind == .manualPause)
                result = try await admin.apply(.resume)
                #expect(server.router.controller.state.phase == .ramping)
                result = try await admin.apply(.promote)
                #expect(result.state.percent == 7.5)
                result = try await admin.setPercent(25, reason: "bigger step")
                #expect(server.router.controller.state.percent == 25)
                #expect(result.effectivePercent == 25)
                result = try await admin.apply(.rollback, reason: "relay latency")
                #expect(server.router.controller.state.phase == .rolledBack)
                #expect(result.effectivePercent == 0)

                let events = try await admin.events(since: TestRollout.epoch, limit: 50)
                #expect(
                    events.map(\.event.reason.kind) == [
                        .started, .manualPause, .manualResume, .manualPromote, .manualSetPercent, .manualRollback,
                    ])
                #expect(events[1].event.reason.message.contains("looking at dashboards"))
                #expect(
                    try await admin.events(limit: 2).map(\.event.reason.kind) == [.manualSetPercent, .manualRollback])

                try await server.router.controller.evaluate()
                let history = try await admin.history(limit: 10)
                #expect(history.count == 1)
                #expect(history.first?.phase == .rolledBack)
            }
        }
    }

    @Test func rollbackSwitchOverrideIsReportedBySource() async throws {
        try await LiveServer.with { server in
            try await Self.client(server) { admin in
                let engaged = try await admin.setRollbackSwitch(engaged: true, reason: "incident 42")
                #expect(engaged.engaged && engaged.changed)
                #expect(engaged.sources == ["override": "incident 42"])
                let status = try await admin.status()
                #expect(status.rollbackEngaged && status.effectivePercent == 0)
                #expect(status.rollbackSources["override"] == "incident 42")
                let refused = await Self.failure { try await admin.apply(.promote) }
                #expect(refused?.code == .notAllowed)
                let released = try await admin.setRollbackSwitch(engaged: false)
                #expect(!released.engaged)
            }
        }
    }

    @Test func aRefusedCommandCarriesTheServersReason() async throws {
        try await LiveServer.with { server in
            let error = await Self.failure { _ = try await Self.client(server) { try await $0.apply(.resume) } }
            #expect(error?.code == .notAllowed)
            #expect(error?.httpStatus == 409)
            #expect(error?.exitCode == 7)
            #expect(
                error?.description
                    == "refused: cannot resume while ramping: only a paused or rolled-back rollout can be resumed")
            #expect(server.router.controller.state.phase == .ramping)
        }
    }

    @Test func aWrongTokenIsRefusedWithoutRepeatingIt() async throws {
        try await LiveServer.with { server in
            let wrong = "not-the-SECRET-token"
            let error = await Self.failure { _ = try await Self.client(server, token: wrong) { try await $0.status() } }
            #expect(error?.code == .unauthorized)
            #expect(error?.httpStatus == 401)
            #expect(error?.exitCode == 5)
            let text = error.map(String.init(describing:)) ?? ""
            #expect(text.contains(server.url) && text.contains("SHEPHERD_ADMIN_TOKEN"))
            #expect(!text.contains("SECRET"), "the description holds a token: \(text)")
        }
    }

    @Test func noTokenFailsBeforeSendingAnything() async throws {
        try await LiveServer.with { server in
            for token in [nil, ""] as [String?] {
                let error = await Self.failure {
                    _ = try await Self.client(server, token: token) { try await $0.status() }
                }
                #expect(error?.code == .missingToken)
                #expect(error?.exitCode == 4)
                #expect(error?.description.contains("SHEPHERD_ADMIN_TOKEN") == true)
            }
        }
    }

    @Test func aServerWithoutAdminTokenHasNoAdminAPI() async throws {
        try await LiveServer.with(adminToken: nil) { server in
            let error = await Self.failure { _ = try await Self.client(server) { try await $0.status() } }
            #expect(error?.code == .adminDisabled)
            #expect(error?.httpStatus == 404)
            #expect(error?.exitCode == 6)
            #expect(error?.description.contains("without SHEPHERD_ADMIN_TOKEN") == true)
        }
    }

    @Test func anUnwritableStoreIsReportedAsNothingChanged() async throws {
        try await LiveServer.with { server in
            try await server.store.close()
            let error = await Self.failure { _ = try await Self.client(server) { try await $0.apply(.pause) } }
            #expect(error?.code == .storeUnavailable)
            #expect(error?.httpStatus == 503)
            #expect(error?.exitCode == 8)
            #expect(
                error?.description.hasPrefix("the server could not record the command, nothing changed (503)") == true)
            #expect(server.router.controller.state.phase == .ramping)
        }
    }

    @Test func anUnreachableServerIsNamedWithWhatToCheck() async throws {
        // A port bound but never listened on: connections are refused, and while it stays bound
        // no other test's server can be given it (a port a server had just closed could be, and
        // answered 401 when the suite ran in parallel).
        let closed = try RefusingPort()
        defer { closed.close() }
        let url = "http://127.0.0.1:\(closed.port)"
        let error = await Self.failure {
            _ = try await AdminClient.withClient(url: url, token: adminToken) { try await $0.status() }
        }
        #expect(error?.code == .unreachable)
        #expect(error?.exitCode == 3)
        #expect(error?.detail == "connection refused")
        let text = error?.description ?? ""
        #expect(text.contains(url) && text.contains("shepherd serve") && text.contains("SHEPHERD_URL"))
    }

    @Test(arguments: ["127.0.0.1:8080", "ftp://host", "http://", ""])
    func aMalformedURLIsRefusedBeforeConnecting(url: String) async {
        let error = await Self.failure {
            _ = try await AdminClient.withClient(url: url, token: adminToken) { try await $0.status() }
        }
        #expect(error?.code == .invalidURL)
        #expect(error?.exitCode == 11)
    }

    @Test func exitCodesAreDistinct() {
        let codes = AdminClientError.Code.allCases.map { AdminClientError(code: $0, url: "u").exitCode }
        #expect(Set(codes).count == codes.count)
        #expect(!codes.contains(0) && !codes.contains(1) && !codes.contains(2))
    }
}
