import Canary
import Hummingbird
import HummingbirdTesting
import Logging
import Shepherd
import ShepherdServer
import ShepherdTesting
import Testing
import Upstream

struct RequestIDTests {
    /// An embedder that silences logging with a handler keeping no metadata must not crash the
    /// server: Hummingbird's `context.id` force-unwraps the request id from the logger's metadata.
    @Test func aLoggerWithoutMetadataStillGetsRequestIDs() async throws {
        let silent = Logger(label: "silent") { _ in SwiftLogNoOpLogHandler() }
        let nowhere = OpenAICompatibleProvider(configuration: .init(name: "nowhere", baseURL: "http://127.0.0.1:9/v1"))
        let store = InMemoryRolloutStore()
        let router = try await MigrationRouter(
            legacy: nowhere, relay: nowhere, configuration: .init(policy: RolloutPolicy(rolloutID: "request-id")),
            store: store, clock: ManualClock(), logger: silent)
        let app = try buildShepherdApplication(
            router: router, store: store, configuration: ServerConfiguration(port: 0), registry: TestMetrics.registry,
            logger: silent)
        try await app.test(.live) { client in
            let generated = try await client.execute(uri: "/healthz", method: .get)
            #expect(generated.status == .ok)
            #expect(generated.headers[.requestID].map { !$0.isEmpty } == true)
            let given = try await client.execute(uri: "/healthz", method: .get, headers: [.requestID: "req-42"])
            #expect(given.headers[.requestID] == "req-42")
        }
        try await nowhere.shutdown()
    }
}
