import Canary
import Hummingbird
import HummingbirdTesting
import MockProvider
import Resilience
import ShepherdServer
import Testing
import Upstream

struct ProxyErrorTests {
    @Test func malformedJsonGetsA400OpenAIError() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.post, "/v1/chat/completions", body: #"{"model": "gpt-4.1", "messages": ["#)
            #expect(response.status == .badRequest)
            let error = try #require(response.openAIError)
            #expect(error.type == "invalid_request_error")
            #expect(error.code == "invalid_json")
            #expect(h.relayMock.stats.requests + h.legacyMock.stats.requests == 0)
        }
    }

    /// JSON that Foundation's decoder reads but an upstream would not, or would read otherwise.
    @Test(arguments: [
        (
            #"{"model":"gpt-4.1","model":"gpt-4.1-mini","messages":[{"role":"user","content":"hi"}]}"#, "invalid_value",
            "model"
        ),
        (#"{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],}"#, "invalid_json", nil),
        (
            #"{"model":"gpt-4.1","stream":true,"stream":false,"messages":[{"role":"user","content":"hi"}]}"#,
            "invalid_value", "stream"
        ),
    ])
    func bodiesUpstreamsWouldReadOtherwiseGetA400(body: String, code: String, param: String?) async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.post, "/v1/chat/completions", body: body)
            #expect(response.status == .badRequest)
            let error = try #require(response.openAIError)
            #expect(error.code == code)
            #expect(error.param == param)
            #expect(h.relayMock.stats.requests + h.legacyMock.stats.requests == 0, "nothing was sent upstream")
        }
    }

    @Test func missingModelGetsA400NamingTheField() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(
                .post, "/v1/chat/completions", body: #"{"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(response.status == .badRequest)
            #expect(response.openAIError?.param == "model")
            #expect(response.openAIError?.type == "invalid_request_error")
        }
    }

    @Test(arguments: [#"{"model":"gpt-4.1"}"#, #"{"model":"gpt-4.1","messages":[]}"#])
    func missingOrEmptyMessagesGetA400(body: String) async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.post, "/v1/chat/completions", body: body)
            #expect(response.status == .badRequest)
            #expect(response.openAIError?.param == "messages")
        }
    }

    @Test func wronglyTypedFieldGetsA400NamingIt() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(
                .post, "/v1/chat/completions", body: ServerHarness.chatBody(extra: #""temperature":"hot""#))
            #expect(response.status == .badRequest)
            #expect(response.openAIError?.param == "temperature")
            #expect(response.openAIError?.message.contains("expected a number") == true)
        }
    }

    @Test func aWronglyTypedObjectIsNamedAsJSONNotAsASwiftType() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(
                .post, "/v1/chat/completions", body: ServerHarness.chatBody(extra: #""stream_options":"yes""#))
            #expect(response.status == .badRequest)
            let message = try #require(response.openAIError?.message)
            #expect(message.contains("expected an object"), "\(message)")
            #expect(!message.contains("Dictionary") && !message.contains("Swift"), "\(message)")
        }
    }

    @Test func bodyOverTheLimitGets413() async throws {
        let server = ServerConfiguration(port: 0, maxBodyBytes: 1024)
        try await ServerHarness.with(server: server) { h in
            let big = ServerHarness.chatBody(extra: #""padding":"\#(String(repeating: "x", count: 2000))""#)
            let response = try await h.send(.post, "/v1/chat/completions", body: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.openAIError?.code == "request_too_large")
            // The server still answers afterwards.
            #expect(try await h.chat().status == .ok)
        }
    }

    @Test func unknownRouteGets404AndWrongMethodGets405() async throws {
        try await ServerHarness.with { h in
            let unknown = try await h.send(.get, "/v1/nothing-here")
            #expect(unknown.status == .notFound)
            #expect(unknown.openAIError?.code == "unknown_url")
            let wrongMethod = try await h.send(.get, "/v1/chat/completions")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
            #expect(wrongMethod.openAIError != nil)
        }
    }

    @Test func everyPathFailingGets502ListingTheAttempts() async throws {
        let broken = ServerHarness.phase { $0.errorRates = [500: 1.0] }
        try await ServerHarness.with(relay: broken, legacy: broken, percent: 100) { h in
            let response = try await h.chat()
            #expect(response.status == .badGateway)
            let error = try #require(response.openAIError)
            #expect(error.code == "upstream_failed")
            #expect(error.message.contains("relay gpt-4.1: serverError (http_500)"), "\(error.message)")
            #expect(error.message.contains("legacy gpt-4.1: serverError (http_500)"), "\(error.message)")
            #expect(response.headers[.shepherdPath] == "legacy")
            #expect(response.headers[.shepherdFallback] == "true")
        }
    }

    @Test func everyPathUnavailableGets503WithRetryAfter() async throws {
        let outage = ServerHarness.phase {
            $0.outage = true
            $0.outageStatus = 503
            $0.retryAfter = .seconds(7)
        }
        try await ServerHarness.with(relay: outage, legacy: outage, percent: 100) { h in
            let response = try await h.chat()
            #expect(response.status == .serviceUnavailable)
            #expect(response.openAIError?.code == "upstream_unavailable")
            #expect(response.openAIError?.message.contains("http_503") == true)
            #expect(response.headers[.retryAfter] == "7")
        }
    }

    @Test func upstreamTimeoutGets504() async throws {
        let slow = ServerHarness.phase { $0.latency = .fixed(.seconds(100)) }
        let deadlines = try Deadlines(total: .seconds(10), perAttempt: .seconds(5))
        try await ServerHarness.with(legacy: slow, percent: 0, deadlines: deadlines) { h in
            async let answer = h.chat()
            await h.clock.waitForSleepers(count: 1)  // the attempt's timer is set
            h.clock.advance(by: .seconds(6))
            let response = try await answer
            #expect(response.status == .gatewayTimeout)
            #expect(response.openAIError?.code == "upstream_timeout")
            #expect(response.openAIError?.message.contains("in time (attempt_timed_out)") == true, "\(response.text)")
        }
    }

    @Test func upstream422IsPassedThroughWithItsMessage() async throws {
        let rejecting = ServerHarness.phase { $0.errorRates = [422: 1.0] }
        try await ServerHarness.with(relay: rejecting, percent: 100) { h in
            let response = try await h.chat()
            #expect(response.status == .unprocessableContent)
            #expect(response.openAIError?.message.contains("Invalid request (mock)") == true)
            #expect(h.legacyMock.stats.requests == 0, "a client error is not failed over")
        }
    }

    @Test func anUpstreamRejectionKeepsItsCodeAndParamForTheCallersSDK() async throws {
        let rejecting = ServerHarness.phase { $0.errorRates = [400: 1.0] }
        try await ServerHarness.with(relay: rejecting, percent: 100) { h in
            let response = try await h.chat()
            #expect(response.status == .badRequest)
            let error = try #require(response.openAIError)
            #expect(error.code == "context_length_exceeded")
            #expect(error.param == "messages")
            #expect(error.type == "invalid_request_error")
            #expect(error.message.contains("maximum context length"))
        }
    }

    @Test func upstreamRefusingShepherdsKeyGets502WithoutAnyKey() async throws {
        try await ServerHarness.with(percent: 100, relayExpectsKey: "the-right-key") { h in
            let response = try await h.chat()
            #expect(response.status == .badGateway)
            let error = try #require(response.openAIError)
            #expect(error.code == "upstream_auth_failed")
            #expect(error.message.contains("refused Shepherd's credentials"))
            #expect(!error.message.contains("the-right-key"))
        }
    }
}
