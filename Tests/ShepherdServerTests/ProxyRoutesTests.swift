import Canary
import Hummingbird
import HummingbirdTesting
import ShepherdServer
import Testing
import Upstream

struct ProxyRoutesTests {
    @Test func chatCompletionThroughTheRelayCarriesTheRoutingHeaders() async throws {
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.chat(extra: #""metadata":{"team":"checkout"}"#)
            #expect(response.status == .ok)
            #expect(response.headers[.shepherdPath] == "relay")
            #expect(response.headers[.shepherdFallback] == "false")
            #expect(response.headers[.shepherdModel] == "gpt-4.1")
            let json = try response.json()
            #expect(json["object"] == .string("chat.completion"))
            #expect(json["choices"]?[0]?["message"]?["role"] == .string("assistant"))
            // Unknown request fields pass through to the upstream.
            let upstream = try #require(h.relayMock.lastRequest)
            #expect(upstream.body.contains(#""team":"checkout""#))
        }
    }

    @Test func chatCompletionThroughLegacyIsAnsweredInTheOpenAIShape() async throws {
        try await ServerHarness.with(percent: 0) { h in
            let response = try await h.chat()
            #expect(response.status == .ok)
            #expect(response.headers[.shepherdPath] == "legacy")
            #expect(response.headers[.shepherdFallback] == "false")
            #expect(response.headers[.shepherdModel] != nil)
            let json = try response.json()
            #expect(json["object"] == .string("chat.completion"))
            #expect(h.legacyMock.lastRequest?.path == "/v1/messages")
        }
    }

    @Test func theClientsAuthorizationAndHeadersNeverGoUpstream() async throws {
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.chat(headers: [
                .authorization: "Bearer \(clientKey)", .init("x-client-private")!: "private-SECRET",
            ])
            #expect(response.status == .ok)
            let upstream = try #require(h.relayMock.lastRequest)
            let headers = Dictionary(uniqueKeysWithValues: upstream.headers.map { ($0.key.lowercased(), $0.value) })
            #expect(headers["authorization"] == "Bearer \(relayKey)", "the relay gets Shepherd's own key")
            #expect(headers["x-client-private"] == nil)
            #expect(!upstream.headers.values.contains { $0.contains(clientKey) })
        }
    }

    @Test func relayOutageIsAnsweredByLegacyWithTheFallbackHeader() async throws {
        let outage = ServerHarness.phase {
            $0.outage = true
            $0.outageStatus = 503
        }
        try await ServerHarness.with(relay: outage, percent: 100) { h in
            let response = try await h.chat()
            #expect(response.status == .ok)
            #expect(response.headers[.shepherdPath] == "legacy")
            #expect(response.headers[.shepherdFallback] == "true")
            #expect(h.relayMock.stats.errorsByStatus[503] == 1)
        }
    }

    @Test func routingKeyFromTheHeaderTheSessionOrTheUserFieldIsSticky() async throws {
        try await ServerHarness.with(percent: 50) { h in
            var paths: Set<String> = []
            for i in 0..<12 {
                let key = "customer-\(i)"
                let byHeader = try await h.chat(headers: [.shepherdRoutingKey: key]).headers[.shepherdPath]
                let bySession = try await h.chat(headers: [.sessionID: key]).headers[.shepherdPath]
                let byUser = try await h.chat(user: key).headers[.shepherdPath]
                let again = try await h.chat(headers: [.shepherdRoutingKey: key]).headers[.shepherdPath]
                #expect(byHeader != nil && byHeader == bySession && byHeader == byUser && byHeader == again, "\(key)")
                // The header wins over the user field.
                let both = try await h.chat(user: "someone-else-\(i)", headers: [.shepherdRoutingKey: key])
                #expect(both.headers[.shepherdPath] == byHeader)
                paths.insert(byHeader ?? "")
            }
            #expect(paths == ["relay", "legacy"], "12 keys at 50% should see both paths")
        }
    }

    @Test func embeddingsAreAnsweredByTheRelayAnd501WhereLegacyHasNone() async throws {
        let body = #"{"model":"text-embedding-3-small","input":["a canary","a coal mine"]}"#
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.send(.post, "/v1/embeddings", body: body)
            #expect(response.status == .ok)
            #expect(response.headers[.shepherdPath] == "relay")
            #expect(try response.json()["data"]?[1]?["index"] == .integer(1))
        }
        try await ServerHarness.with(percent: 0) { h in
            let response = try await h.send(.post, "/v1/embeddings", body: body)
            #expect(response.status == .notImplemented)
            #expect(response.openAIError?.code == "unsupported_operation")
        }
    }

    @Test func modelsAreListedInTheOpenAIShape() async throws {
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.send(.get, "/v1/models")
            #expect(response.status == .ok)
            #expect(try response.json()["object"] == .string("list"))
        }
    }
}

/// `x-shepherd-tier`: the relay follows the tier's model fallback chain.
struct ModelChainRouteTests {
    @Test func aTierMovesARateLimitedModelToTheNextModelOfItsChainOnTheRelay() async throws {
        let busy = ServerHarness.phase {
            $0.errorRates = [429: 1]
            $0.models = ["gpt-4.1"]
        }
        try await ServerHarness.with(relay: busy, percent: 100) { h in
            let response = try await h.chat(headers: [.shepherdTier: "critical"])
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.shepherdPath] == "relay")
            #expect(response.headers[.shepherdFallback] == "false")
            #expect(response.headers[.shepherdModel] == "claude-sonnet-4.5")
            #expect(h.relayMock.stats.errorsByStatus[429] == 1)
            #expect(h.legacyMock.stats.requests == 0)
            let metrics = try await h.send(.get, "/metrics")
            #expect(metrics.text.contains(#"shepherd_model_fallbacks_total{tier="critical"}"#))

            // Without a tier the same rate limit is failed over to legacy, as before.
            let plain = try await h.chat()
            #expect(plain.status == .ok)
            #expect(plain.headers[.shepherdPath] == "legacy" && plain.headers[.shepherdFallback] == "true")
        }
    }

    @Test func anUnknownTierIsA400NamingTheTiersThereAre() async throws {
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.chat(headers: [.shepherdTier: "platinum"])
            #expect(response.status == .badRequest)
            let json = try response.json()
            #expect(json["error"]?["param"] == .string("x-shepherd-tier"))
            let message = json["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("platinum") && message.contains("balanced, bulk, critical"), "\(message)")
            #expect(h.relayMock.stats.requests == 0 && h.legacyMock.stats.requests == 0)
        }
    }
}
