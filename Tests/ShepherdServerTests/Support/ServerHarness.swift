import Canary
import Hummingbird
import HummingbirdTesting
import Logging
import MockProvider
import Resilience
import Shepherd
import ShepherdServer
import Testing
import Upstream

/// Every secret of the tests contains this marker: no response body and no log line may.
let secretMarker = "SECRET"
let relayKey = "sk-relay-SECRET"
let legacyKey = "sk-legacy-SECRET"
let adminToken = "admin-token-SECRET-1"
let clientKey = "sk-client-SECRET-1"

/// Two real mock providers on loopback (legacy speaks Anthropic, relay speaks OpenAI), a router
/// over them, and the Shepherd application over the router, served live on a free port.
///
/// Time never passes by itself: the router runs on `clock`, the mocks on `mockClock`, both
/// manual. Every response read through ``send(_:_:body:headers:)`` is checked for secrets, and
/// so is every log line when the test ends.
struct ServerHarness: Sendable {
    let router: MigrationRouter<ManualClock>
    let clock: ManualClock
    let mockClock: ManualClock
    let store: InMemoryRolloutStore
    let relayMock: MockProviderServer<ManualClock>
    let legacyMock: MockProviderServer<ManualClock>
    let client: any TestClientProtocol
    let logs: LogCapture

    static let policy: RolloutPolicy = {
        var policy = RolloutPolicy(rolloutID: "server-test")
        policy.ramp.minHoldTime = .seconds(60)
        policy.ramp.minSamplesPerStep = 100
        policy.health.minSamples = 100
        return policy
    }()

    static func phase(_ configure: (inout FaultScenario.Phase) -> Void) -> FaultScenario {
        var phase = FaultScenario.Phase()
        configure(&phase)
        return FaultScenario(name: "test", phase)
    }

    /// Runs `body` against a live server.
    ///
    /// - Parameters:
    ///   - percent: the relay's share (100: all relay, 0: all legacy); `nil` leaves the first step (5%).
    ///   - relayExpectsKey: a key the relay mock demands (to make it refuse Shepherd's).
    static func with<R: Sendable>(
        relay relayScenario: FaultScenario = .healthy,
        legacy legacyScenario: FaultScenario = .healthy,
        server: ServerConfiguration = ServerConfiguration(port: 0, adminToken: Secret(adminToken)),
        percent: Double? = nil,
        deadlines: Deadlines = .standard,
        relayExpectsKey: String? = nil,
        _ body: @Sendable (ServerHarness) async throws -> R
    ) async throws -> R {
        let logs = LogCapture()
        let mockClock = ManualClock()
        let legacyMock = MockProviderServer(scenario: legacyScenario, configuration: .init(seed: 1), clock: mockClock)
        let relayMock = MockProviderServer(
            scenario: relayScenario, configuration: .init(seed: 2, apiKey: relayExpectsKey), clock: mockClock)
        let result = try await legacyMock.withRunning { legacyPort in
            try await relayMock.withRunning { relayPort in
                let legacy = AnthropicProvider(
                    configuration: .init(
                        name: "legacy", baseURL: "http://127.0.0.1:\(legacyPort)", apiKey: Secret(legacyKey)))
                let relay = OpenAICompatibleProvider(
                    configuration: .init(
                        name: "relay", baseURL: "http://127.0.0.1:\(relayPort)/v1", apiKey: Secret(relayKey)))
                do {
                    let result = try await run(
                        legacy: legacy, relay: relay, relayMock: relayMock, legacyMock: legacyMock,
                        mockClock: mockClock,
                        server: server, percent: percent, deadlines: deadlines, logs: logs, body)
                    try await legacy.shutdown()
                    try await relay.shutdown()
                    return result
                } catch {
                    try? await legacy.shutdown()
                    try? await relay.shutdown()
                    throw error
                }
            }
        }
        for line in logs.lines {
            #expect(!line.contains(secretMarker), "a log line holds a secret: \(line)")
            #expect(!line.lowercased().contains("bearer "), "a log line holds an Authorization header: \(line)")
        }
        return result
    }

    private static func run<R: Sendable>(
        legacy: AnthropicProvider, relay: OpenAICompatibleProvider, relayMock: MockProviderServer<ManualClock>,
        legacyMock: MockProviderServer<ManualClock>, mockClock: ManualClock, server: ServerConfiguration,
        percent: Double?, deadlines: Deadlines, logs: LogCapture, _ body: @Sendable (ServerHarness) async throws -> R
    ) async throws -> R {
        let clock = ManualClock()
        let store = InMemoryRolloutStore()
        let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)
        let router = try await MigrationRouter(
            legacy: legacy, relay: relay,
            configuration: .init(
                policy: policy, relayRetry: RetryPolicy(maxAttempts: 1), legacyRetry: RetryPolicy(maxAttempts: 1),
                deadlines: deadlines),
            store: store, clock: clock, wallNow: { epoch.advanced(by: clock.now.offset) }, seed: 7,
            logger: logs.logger("shepherd.router"))
        if let percent { try await router.controller.apply(.setPercent(percent), reason: "test setup") }
        let app = try buildShepherdApplication(
            router: router, store: store, configuration: server, registry: ShepherdMetrics.registry,
            logger: logs.logger("shepherd.server"))
        return try await app.test(.live) { client in
            try await body(
                ServerHarness(
                    router: router, clock: clock, mockClock: mockClock, store: store, relayMock: relayMock,
                    legacyMock: legacyMock, client: client, logs: logs))
        }
    }

    // MARK: Requests

    /// Sends a request and checks that the answer holds no secret.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = response.text
        #expect(!text.contains(secretMarker), "a response body holds a secret: \(text)")
        for field in response.headers {
            #expect(!field.value.contains(secretMarker), "a response header holds a secret: \(field.name)")
        }
        return response
    }

    /// `POST /v1/chat/completions` with a small valid request.
    func chat(
        user: String? = nil, stream: Bool = false, extra: String = "", headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await send(
            .post, "/v1/chat/completions", body: Self.chatBody(user: user, stream: stream, extra: extra),
            headers: headers)
    }

    static func chatBody(user: String? = nil, stream: Bool = false, extra: String = "") -> String {
        var fields = [
            #""model":"gpt-4.1""#,
            #""messages":[{"role":"user","content":"Say something about canaries."}]"#,
        ]
        if let user { fields.append(#""user":"\#(user)""#) }
        if stream { fields.append(#""stream":true"#) }
        if !extra.isEmpty { fields.append(extra) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static var admin: HTTPFields { [.authorization: "Bearer \(adminToken)"] }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as JSON.
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// The OpenAI error envelope's fields, or `nil` when the body is not one.
    var openAIError: (message: String, type: String?, code: String?, param: String?)? {
        guard let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: Data(text.utf8)) else { return nil }
        return (envelope.error.message, envelope.error.type, envelope.error.code?.stringValue, envelope.error.param)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
