import Canary
import Shepherd
import ShepherdServer
import ShepherdTesting
import Testing
import Upstream

struct ServerConfigurationValidationTests {
    @Test func nonLoopbackBindWithoutClientKeysIsRefusedNamingTheFieldAndTheFix() async throws {
        let open = ServerConfiguration(host: "0.0.0.0", port: 0)
        #expect(throws: ServerConfigurationError.self) { try open.validate() }
        do {
            try open.validate()
        } catch {
            #expect(error.field == "clientKeys")
            #expect(error.description.contains("0.0.0.0") && error.description.contains("allowUnauthenticated"))
        }
        // The application refuses to be built with it.
        let legacy = OpenAICompatibleProvider(configuration: .init(name: "legacy", baseURL: "http://127.0.0.1:9/v1"))
        let relay = OpenAICompatibleProvider(configuration: .init(name: "relay", baseURL: "http://127.0.0.1:9/v1"))
        let router = try await MigrationRouter(
            legacy: legacy, relay: relay,
            configuration: .init(policy: RolloutPolicy(rolloutID: "validation")), store: InMemoryRolloutStore(),
            clock: ManualClock())
        #expect(throws: ServerConfigurationError.self) {
            _ = try buildShepherdApplication(
                router: router, store: InMemoryRolloutStore(), configuration: open, registry: TestMetrics.registry,
                logger: .init(label: "test"))
        }
        // The providers own HTTP clients, which must be shut down before they go away.
        try await legacy.shutdown()
        try await relay.shutdown()
    }

    @Test func clientKeysOrAnExplicitOptOutMakeANonLoopbackBindValid() throws {
        try ServerConfiguration(host: "0.0.0.0", clientKeys: [Secret("client-key-0123456789")]).validate()
        try ServerConfiguration(host: "0.0.0.0", allowUnauthenticated: true).validate()
        try ServerConfiguration(host: "127.0.0.1").validate()
        try ServerConfiguration(host: "::1").validate()
    }

    @Test(arguments: [
        (ServerConfiguration(port: 70_000), "port"),
        (ServerConfiguration(maxBodyBytes: 0), "maxBodyBytes"),
        (ServerConfiguration(adminToken: Secret("")), "adminToken"),
        (ServerConfiguration(clientKeys: [Secret("")]), "clientKeys"),
        (ServerConfiguration(adminToken: Secret("e")), "adminToken"),
        // A host name that merely starts like a loopback address is not one.
        (ServerConfiguration(host: "127.evil.example.com"), "clientKeys"),
        (ServerConfiguration(host: "127.0.0.1.evil.example.com"), "clientKeys"),
        (ServerConfiguration(adminToken: Secret("fifteen-chars-x")), "adminToken"),
        (ServerConfiguration(clientKeys: [Secret("client-key-0123456789"), Secret("short-key")]), "clientKeys"),
    ])
    func unusableSettingsAreRefused(configuration: ServerConfiguration, field: String) {
        #expect(throws: ServerConfigurationError.self) { try configuration.validate() }
        do { try configuration.validate() } catch { #expect(error.field == field) }
    }
}
