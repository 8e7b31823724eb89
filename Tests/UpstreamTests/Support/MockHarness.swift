import Canary
import MockProvider
import ShepherdTesting
import Upstream

/// Both providers pointed at one running mock, shut down when the body ends.
struct Providers {
    let openAI: OpenAICompatibleProvider
    let anthropic: AnthropicProvider

    func provider(_ kind: ProviderKind) -> any ChatProvider {
        switch kind {
        case .openAICompatible: openAI
        case .anthropic: anthropic
        }
    }

    func shutdown() async throws {
        try await openAI.shutdown()
        try await anthropic.shutdown()
    }
}

enum Harness {
    static let testKey = "sk-test-SECRET-0123456789"

    static func phase(_ configure: (inout FaultScenario.Phase) -> Void) -> FaultScenario { .phase(configure) }

    /// Runs a mock on port 0 with both providers pointed at it.
    static func withMock<C: Clock, R>(
        _ scenario: FaultScenario = .healthy, clock: C, seed: UInt64 = 1, apiKey: String? = nil,
        wallClock: @escaping @Sendable () -> Int64 = { 1_700_000_000 },
        readIdleTimeout: Duration = .seconds(10), timeout: Duration = .seconds(20),
        observer: (@Sendable (Int) -> Void)? = nil,
        _ body: (MockProviderServer<C>, Providers) async throws -> R
    ) async throws -> R where C.Duration == Duration {
        let mock = MockProviderServer(
            scenario: scenario, configuration: .init(seed: seed, apiKey: apiKey, wallClock: wallClock), clock: clock)
        return try await mock.withRunning { port in
            let base = "http://127.0.0.1:\(port)/v1"
            let connection = UpstreamConnection(timeout: timeout, readIdleTimeout: readIdleTimeout)
            let providers = Providers(
                openAI: OpenAICompatibleProvider(
                    configuration: .init(
                        name: "relay", baseURL: base, apiKey: Secret(testKey),
                        extraHeaders: ["x-gateway-route": "canary"], connection: connection),
                    streamBufferObserver: observer),
                anthropic: AnthropicProvider(
                    configuration: .init(
                        name: "legacy", baseURL: base, apiKey: Secret(testKey),
                        modelMap: ["claude-sonnet-4.5": "claude-sonnet-4-5"], connection: connection),
                    streamBufferObserver: observer))
            return try await closing(providers.shutdown) { try await body(mock, providers) }
        }
    }

    static func withMock<R>(
        _ scenario: FaultScenario = .healthy, seed: UInt64 = 1, apiKey: String? = nil,
        wallClock: @escaping @Sendable () -> Int64 = { 1_700_000_000 },
        readIdleTimeout: Duration = .seconds(10), timeout: Duration = .seconds(20),
        observer: (@Sendable (Int) -> Void)? = nil,
        _ body: (MockProviderServer<ContinuousClock>, Providers) async throws -> R
    ) async throws -> R {
        try await withMock(
            scenario, clock: ContinuousClock(), seed: seed, apiKey: apiKey, wallClock: wallClock,
            readIdleTimeout: readIdleTimeout, timeout: timeout, observer: observer, body)
    }

    static func request(
        model: String = "gpt-4.1", _ text: String = "Say something about canaries.", maxTokens: Int? = nil,
        stream: Bool = false
    ) -> ChatRequest {
        ChatRequest(
            model: model,
            messages: [.init(role: .system, content: "Be brief."), .init(role: .user, content: .text(text))],
            maxTokens: maxTokens, stream: stream ? true : nil)
    }

    /// Runs `operation` and returns the `ProviderError` it throws (nil if it succeeds or throws something else).
    static func providerError(_ operation: () async throws -> Void) async -> ProviderError? {
        do {
            try await operation()
            return nil
        } catch let error as ProviderError {
            return error
        } catch {
            return nil
        }
    }

    /// Drains a stream, returning the chunks.
    static func drain(_ stream: ChatChunkStream) async throws -> [ChatChunk] {
        var chunks: [ChatChunk] = []
        for try await chunk in stream { chunks.append(chunk) }
        return chunks
    }
}
