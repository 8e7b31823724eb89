import Canary
import Foundation
import MockProvider
import NIOCore
import ShepherdTesting
import Testing

@testable import Upstream

/// How an upstream's connections fail, and what they trust: real connections over loopback.
struct ConnectionTests {
    static func request() -> ChatRequest {
        ChatRequest(model: "gpt-4.1", messages: [.init(role: .user, content: .text("hello"))])
    }

    // A connect timeout of ten minutes and a one-minute test limit: a provider that retried
    // the refused connection until its connect timeout (AsyncHTTPClient's default) fails the test.
    @Test(.timeLimit(.minutes(1)))
    func aRefusedConnectionFailsAtOnceAndNamesTheUpstream() async throws {
        // Bound and never listened on: refused, and no other test's server can be given it.
        let refusing = try RefusingPort()
        defer { refusing.close() }
        let port = refusing.port
        let provider = OpenAICompatibleProvider(
            configuration: .init(
                name: "relay", baseURL: "http://127.0.0.1:\(port)/v1",
                connection: .init(connectTimeout: .seconds(600))))
        try await closing(provider.shutdown) {
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(Self.request(), context: CallContext())
            }
            #expect(error.failureClass == .connection)
            #expect(error.message?.contains("relay 127.0.0.1:\(port)") == true, "\(error)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aHandshakeThatFailsIsClassedTLSSaysWhyAndFailsOverWithoutARetry() async throws {
        // The mock speaks plain HTTP: a TLS client's handshake with it fails.
        let mock = MockProviderServer(scenario: .healthy, configuration: .init(seed: 1), clock: ContinuousClock())
        try await mock.withRunning { port in
            let provider = OpenAICompatibleProvider(
                configuration: .init(
                    name: "relay", baseURL: "https://127.0.0.1:\(port)/v1",
                    connection: .init(connectTimeout: .seconds(600))))
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(Self.request(), context: CallContext())
            }
            try await provider.shutdown()
            #expect(error.failureClass == .tls)
            #expect(error.code == .tls)
            #expect(error.message?.hasPrefix("TLS: ") == true, "\(error)")
            #expect(error.message?.contains("relay 127.0.0.1:\(port)") == true, "\(error)")
            #expect(!error.failureClass.isRetryable)
            #expect(error.failureClass.isFailover)
            #expect(error.failureClass.isConfigurationProblem)
        }
    }

    @Test func aNameThatDoesNotResolveIsClassedDNS() throws {
        let cause = UpstreamEndpoint.cause(
            of: SocketAddressError.unknown(host: "relay.invalid", port: 443), provider: "relay",
            display: "relay.invalid:443")
        #expect(cause?.0 == .dns)
        #expect(cause?.1.contains("relay relay.invalid:443") == true)
    }

    @Test func aServerNameRequestsThatNameAndConnectsToTheURLsHost() {
        let endpoint = UpstreamEndpoint(
            baseURL: "https://10.1.2.3:8443/v1", tls: UpstreamTLS(serverName: "relay.internal"), name: "relay")
        #expect(endpoint.baseURL == "https://relay.internal:8443/v1")
        #expect(endpoint.dnsOverride == ["relay.internal": "10.1.2.3"])
        #expect(endpoint.display == "10.1.2.3:8443")
        let plain = UpstreamEndpoint(baseURL: "https://relay.example.com/v1", tls: UpstreamTLS(), name: "relay")
        #expect(plain.baseURL == "https://relay.example.com/v1")
        #expect(plain.dnsOverride.isEmpty)
        #expect(plain.display == "relay.example.com:443")
    }

    // MARK: TLS settings

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shepherd-tls-\(UUID().uuidString).pem"
        ).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func tlsSettingsThatCannotWorkNameTheirKeyAndReason() throws {
        func reason(_ tls: UpstreamTLS) -> UpstreamConfigurationError? {
            do {
                try tls.validate(keyPrefix: "relay")
                return nil
            } catch {
                return error
            }
        }
        #expect(reason(UpstreamTLS()) == nil, "the defaults work")
        let missing = reason(UpstreamTLS(caFile: "/nonexistent/ca.pem"))
        #expect(missing?.key == "relay.caFile")
        #expect(missing?.reason.contains("does not exist") == true)
        let garbage = try Self.temporaryFile("not a certificate\n")
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        #expect(reason(UpstreamTLS(caFile: garbage))?.key == "relay.caFile")
        #expect(reason(UpstreamTLS(systemRoots: false))?.key == "relay.systemRoots", "nothing would be trusted")
        #expect(reason(UpstreamTLS(certFile: garbage))?.key == "relay.keyFile", "a certificate needs its key")
        #expect(reason(UpstreamTLS(keyFile: garbage))?.key == "relay.certFile")
        #expect(reason(UpstreamTLS(serverName: "relay.internal:443"))?.key == "relay.serverName")
    }

    @Test func aProviderWithTLSSettingsThatCannotWorkFailsEveryCallClassedTLS() async throws {
        let provider = OpenAICompatibleProvider(
            configuration: .init(
                name: "relay", baseURL: "https://relay.example.com/v1",
                connection: .init(tls: UpstreamTLS(caFile: "/nonexistent/ca.pem")))
        )
        let error = try await #require(throws: ProviderError.self) {
            try await provider.complete(Self.request(), context: CallContext())
        }
        try await provider.shutdown()
        #expect(error.failureClass == .tls)
        #expect(error.message?.contains("relay.caFile") == true)
    }

    // MARK: Proxies

    @Test(
        arguments: [
            // (environment, upstream URL, expected proxy host:port or nil)
            (["HTTPS_PROXY": "http://proxy:3128"], "https://relay.example.com/v1", "proxy:3128"),
            (
                ["https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"], "https://relay.example.com/v1",
                "lower:1"
            ),
            (["HTTPS_PROXY": "http://proxy:3128"], "http://relay.example.com/v1", nil),
            (["HTTP_PROXY": "proxy:8080"], "http://relay.example.com/v1", "proxy:8080"),
            (["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "example.com"], "https://relay.example.com/v1", nil),
            (["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".example.com"], "https://relay.example.com/v1", nil),
            (["HTTPS_PROXY": "http://proxy:3128", "no_proxy": "*"], "https://relay.example.com/v1", nil),
            (
                ["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "ample.com"], "https://relay.example.com/v1",
                "proxy:3128"
            ),
            (
                ["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "relay.example.com:8443"],
                "https://relay.example.com/v1", "proxy:3128"
            ),
            (["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost, 127.0.0.1"], "https://127.0.0.1:9/v1", nil),
            ([:], "https://relay.example.com/v1", nil),
        ] as [([String: String], String, String?)])
    func theEnvironmentsProxyIsTakenAsCurlTakesIt(environment: [String: String], url: String, expected: String?) throws
    {
        let proxy = try UpstreamProxy.fromEnvironment(environment, for: url)
        #expect(proxy.map { "\($0.host):\($0.port)" } == expected)
    }

    @Test func proxyCredentialsAreSecret() throws {
        let proxy = try UpstreamProxy(url: "http://alice:s3cret-proxy-pass@proxy.internal:3128")
        #expect(proxy.username == "alice")
        #expect(proxy.password?.reveal() == "s3cret-proxy-pass")
        var dumped = ""
        dump(proxy, to: &dumped)
        for text in [proxy.description, String(describing: proxy), String(reflecting: proxy), dumped] {
            #expect(!text.contains("s3cret"), "\(text)")
        }
        let configuration = OpenAICompatibleProvider.Configuration(
            baseURL: "https://relay.example.com/v1", connection: .init(proxy: proxy))
        #expect(!configuration.description.contains("s3cret"))
        #expect(throws: UpstreamConfigurationError.self) { try UpstreamProxy(url: "socks5://proxy:1080") }
        do {
            _ = try UpstreamProxy.fromEnvironment(["HTTPS_PROXY": "ftp://bob:pw-xyz@p:1"], for: "https://r.example/v1")
            Issue.record("a bad proxy variable was accepted")
        } catch {
            #expect(error.key == "HTTPS_PROXY")
            #expect(!error.description.contains("pw-xyz"))
        }
    }

    /// Every way a configuration prints (description, debug description, `dump`, a debugger's
    /// mirror) shows the key and the header values redacted, for both flavours.
    @Test func providerConfigurationsNeverPrintTheKeyOrHeaderValues() {
        let key = Secret("sk-config-SECRET-0123456789")
        let headers = ["x-gateway-route": "route-SECRET-value"]
        let openAI = OpenAICompatibleProvider.Configuration(
            name: "relay", baseURL: "https://relay.example.com/v1", apiKey: key, extraHeaders: headers)
        let anthropic = AnthropicProvider.Configuration(name: "legacy", apiKey: key, extraHeaders: headers)
        func printed(_ value: Any) -> [String] {
            var dumped = ""
            dump(value, to: &dumped)
            return [String(describing: value), String(reflecting: value), dumped]
        }
        for text in printed(openAI) + printed(anthropic) {
            #expect(!text.contains("SECRET"), "\(text)")
            #expect(text.contains("[REDACTED]") && text.contains("x-gateway-route"), "\(text)")
        }
    }
}
