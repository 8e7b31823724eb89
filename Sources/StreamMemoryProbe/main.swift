// A memory probe for the streaming providers: streams one ≈ 10.8 MB answer from an in-process
// mock through a provider and prints what it measured, in a process of its own, so that no
// other test moves its peak resident memory.
//
//     StreamMemoryProbe openai|anthropic
//
// Prints one line: `bytes=<text bytes> chunks=<n> parserHighWater=<bytes> peakGrowth=<bytes>`,
// where peakGrowth is how far the big stream raised the process's VmHWM above where a warm-up
// stream left it. `UpstreamTests.StreamingTests` runs it and judges the figures.
import Foundation
import MockProvider
import Synchronization
import Upstream

guard CommandLine.arguments.count == 2, let kind = ProviderKind(rawValue: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: StreamMemoryProbe openai|anthropic\n".utf8))
    exit(64)
}

/// Peak resident memory of this process (VmHWM), in bytes.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return (Int(line.filter(\.isNumber)) ?? 0) * 1024
}

func request(maxTokens: Int) -> ChatRequest {
    ChatRequest(
        model: kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1",
        messages: [.init(role: .system, content: "Be brief."), .init(role: .user, content: "Tell a long story.")],
        maxTokens: maxTokens, stream: true)
}

// ≈ 6.4 bytes per token: 1.7 M tokens is ≈ 10.9 MB of text, in 1,700 chunks of 1,000 tokens.
var phase = FaultScenario.Phase()
phase.completionTokens = 1_700_000
phase.tokensPerChunk = 1_000
let mock = MockProviderServer(
    scenario: FaultScenario(name: "ten-megabytes", phase), configuration: .init(seed: 1), clock: ContinuousClock())
let highWater = Mutex(0)
let observer: @Sendable (Int) -> Void = { buffered in highWater.withLock { $0 = max($0, buffered) } }

do {
    let line = try await mock.withRunning { port in
        let connection = UpstreamConnection(timeout: .seconds(60), readIdleTimeout: .seconds(30))
        let provider: any ChatProvider =
            switch kind {
            case .openAICompatible:
                OpenAICompatibleProvider(
                    configuration: .init(
                        name: "relay", baseURL: "http://127.0.0.1:\(port)/v1", connection: connection),
                    streamBufferObserver: observer)
            case .anthropic:
                AnthropicProvider(
                    configuration: .init(
                        name: "legacy", baseURL: "http://127.0.0.1:\(port)/v1",
                        modelMap: ["claude-sonnet-4.5": "claude-sonnet-4-5"], connection: connection),
                    streamBufferObserver: observer)
            }
        // Warm up connections, event loops and caches so that only the big stream is measured.
        _ = try await provider.stream(request(maxTokens: 50_000)).collect()
        let peakBefore = peakResidentBytes()
        var bytes = 0
        var chunks = 0
        for try await chunk in try await provider.stream(request(maxTokens: 2_000_000)) {
            bytes += chunk.choices.first?.delta.content?.utf8.count ?? 0
            chunks += 1
        }
        let growth = peakResidentBytes() - peakBefore
        switch provider {
        case let openAI as OpenAICompatibleProvider: try await openAI.shutdown()
        case let anthropic as AnthropicProvider: try await anthropic.shutdown()
        default: break
        }
        return "bytes=\(bytes) chunks=\(chunks) parserHighWater=\(highWater.withLock { $0 }) peakGrowth=\(growth)"
    }
    print(line)
} catch {
    FileHandle.standardError.write(Data("StreamMemoryProbe: \(error)\n".utf8))
    exit(1)
}
