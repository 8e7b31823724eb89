import Hummingbird
import HummingbirdTesting
import ShepherdServer
import Testing
import Upstream

struct OpsRoutesTests {
    @Test func healthzAnswersOkWhileTheProcessLives() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.get, "/healthz")
            #expect(response.status == .ok)
            #expect(response.text == "ok\n")
        }
    }

    @Test func healthzAnswersAHeadProbe() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.head, "/healthz")
            #expect(response.status == .ok, "load balancers probe with HEAD")
        }
    }

    @Test func readyzIs503OnceTheStoreIsClosed() async throws {
        try await ServerHarness.with { h in
            #expect(try await h.send(.get, "/readyz").status == .ok)
            try await h.store.close()
            let response = try await h.send(.get, "/readyz")
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains("rollout store"))
            #expect(try await h.send(.get, "/healthz").status == .ok, "alive, only not ready")
        }
    }

    @Test func metricsExposeRequestCountsInPrometheusTextWithoutSecrets() async throws {
        let server = ServerConfiguration(port: 0, adminToken: Secret(adminToken), clientKeys: [Secret(clientKey)])
        try await ServerHarness.with(server: server, percent: 100) { h in
            #expect(try await h.chat(headers: [.authorization: "Bearer \(clientKey)"]).status == .ok)
            let response = try await h.send(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(response.text.contains("shepherd_requests_total{"))
            #expect(response.text.contains(#"path="relay""#))
            #expect(response.text.contains("shepherd_canary_percent"))
            #expect(!response.text.contains(secretMarker))
        }
    }

    @Test func everyRequestIsLoggedOnceWithItsPathAndStatus() async throws {
        try await ServerHarness.with(percent: 100) { h in
            _ = try await h.chat(headers: [.authorization: "Bearer \(clientKey)", .requestID: "req-log-test"])
            let lines = h.logs.lines.filter {
                $0.contains("request_id=req-log-test") && $0.contains("POST /v1/chat/completions")
            }
            #expect(lines.count == 1, "\(h.logs.lines)")
            let line = try #require(lines.first)
            #expect(
                line.hasPrefix("debug"),
                "request lines are at debug: at proxy rates info would cost more than the proxying")
            #expect(
                line.contains("status=200") && line.contains("shepherd_path=relay") && line.contains("fallback=false"))
            #expect(line.contains("latency_ms="))
        }
    }
}
