import Canary
public import Logging
public import MockProvider
public import Upstream

/// Two real mock providers on loopback and a provider client for each: the legacy path and the
/// relay. Everything a router or server test stands on; the clients shut down when the body ends.
///
/// ```swift
/// try await MockUpstreams.with(clock: ManualClock()) { upstreams in
///     let router = try await MigrationRouter(legacy: upstreams.legacy, relay: upstreams.relay, …)
/// }
/// ```
public struct MockUpstreams<C: Clock>: Sendable where C.Duration == Duration {
    /// The legacy path's mock server.
    public let legacyMock: MockProviderServer<C>
    /// The relay's mock server.
    public let relayMock: MockProviderServer<C>
    /// The legacy client (Anthropic by default).
    public let legacy: any ChatProvider
    /// The relay client (OpenAI-compatible).
    public let relay: any ChatProvider

    /// The keys the clients send; every one holds `SECRET`, which no output may.
    public static var legacyKey: String { "sk-legacy-SECRET" }
    public static var relayKey: String { "sk-relay-SECRET" }

    /// Runs both mocks on free ports, with clients pointed at them, around `body`.
    ///
    /// - Parameters:
    ///   - legacyFlavor: the legacy client's wire format (its mock answers both).
    ///   - keys: whether the clients send ``legacyKey`` and ``relayKey``.
    ///   - relayExpectsKey: a key the relay mock demands (to make it refuse the client's).
    ///   - logger: the mocks' logger (default: their own).
    public static func with<R>(
        legacy legacyScenario: FaultScenario = .healthy, relay relayScenario: FaultScenario = .healthy,
        clock: C, legacyFlavor: ProviderKind = .anthropic, keys: Bool = true, relayExpectsKey: String? = nil,
        logger: Logger? = nil, _ body: (MockUpstreams) async throws -> R
    ) async throws -> R {
        let legacyMock = MockProviderServer(
            scenario: legacyScenario, configuration: .init(seed: 1, logger: logger), clock: clock)
        let relayMock = MockProviderServer(
            scenario: relayScenario, configuration: .init(seed: 2, apiKey: relayExpectsKey, logger: logger),
            clock: clock)
        return try await legacyMock.withRunning { legacyPort in
            try await relayMock.withRunning { relayPort in
                let legacyURL = "http://127.0.0.1:\(legacyPort)"
                let legacyClient: (any ChatProvider, @Sendable () async throws -> Void)
                switch legacyFlavor {
                case .anthropic:
                    let client = AnthropicProvider(
                        configuration: .init(name: "legacy", baseURL: legacyURL, apiKey: keys ? Secret(legacyKey) : nil)
                    )
                    legacyClient = (client, client.shutdown)
                case .openAICompatible:
                    let client = OpenAICompatibleProvider(
                        configuration: .init(
                            name: "legacy", baseURL: legacyURL + "/v1", apiKey: keys ? Secret(legacyKey) : nil))
                    legacyClient = (client, client.shutdown)
                }
                let (legacy, shutdownLegacy) = legacyClient
                let relay = OpenAICompatibleProvider(
                    configuration: .init(
                        name: "relay", baseURL: "http://127.0.0.1:\(relayPort)/v1",
                        apiKey: keys ? Secret(relayKey) : nil))
                let upstreams = MockUpstreams(
                    legacyMock: legacyMock, relayMock: relayMock, legacy: legacy, relay: relay)
                return try await closing(relay.shutdown) {
                    try await closing(shutdownLegacy) { try await body(upstreams) }
                }
            }
        }
    }
}

extension FaultScenario {
    /// A scenario of one phase, set up by `configure`.
    public static func phase(_ configure: (inout FaultScenario.Phase) -> Void) -> FaultScenario {
        var phase = FaultScenario.Phase()
        configure(&phase)
        return FaultScenario(name: "test", phase)
    }
}
