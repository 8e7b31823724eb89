import Hummingbird
import HummingbirdTesting
import ShepherdServer
import Testing
import Upstream

struct ClientAuthTests {
    static let server = ServerConfiguration(
        port: 0, adminToken: Secret(adminToken), clientKeys: [Secret("sk-client-SECRET-0"), Secret(clientKey)])

    @Test func clientKeysAreRequiredOnTheV1Routes() async throws {
        try await ServerHarness.with(server: Self.server, percent: 100) { h in
            let missing = try await h.chat()
            let wrong = try await h.chat(headers: [.authorization: "Bearer sk-client-wrong"])
            let adminTokenIsNotAClientKey = try await h.chat(headers: ServerHarness.admin)
            for response in [missing, wrong, adminTokenIsNotAClientKey] {
                #expect(response.status == .unauthorized)
                #expect(response.openAIError?.code == "invalid_api_key")
            }
            #expect(missing.text == wrong.text)
            #expect(try await h.send(.get, "/v1/models").status == .unauthorized)
            #expect(h.relayMock.stats.requests == 0, "nothing reached an upstream")

            let allowed = try await h.chat(headers: [.authorization: "Bearer \(clientKey)"])
            #expect(allowed.status == .ok)
            let lowercaseScheme = try await h.chat(headers: [.authorization: "bearer sk-client-SECRET-0"])
            #expect(lowercaseScheme.status == .ok)
            let upstream = try #require(h.relayMock.lastRequest)
            #expect(!upstream.headers.values.contains { $0.contains("sk-client") })
        }
    }

    @Test func operationsEndpointsNeedNoClientKey() async throws {
        try await ServerHarness.with(server: Self.server) { h in
            for path in ["/healthz", "/readyz", "/metrics"] {
                let response = try await h.send(.get, path)
                #expect(response.status == .ok, "\(path)")
            }
        }
    }
}
