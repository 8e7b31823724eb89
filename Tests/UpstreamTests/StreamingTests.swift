import Canary
import MockProvider
import Synchronization
import Testing
import Upstream

#if canImport(Glibc)
    import Glibc
#endif

/// Streams are passed through as they arrive, and never held whole.
struct StreamingTests {
    @Test(arguments: [(ProviderKind.openAICompatible, 8), (ProviderKind.anthropic, 10)])
    func firstChunkReachesTheCallerBeforeTheUpstreamFinishes(kind: ProviderKind, gaps: Int) async throws {
        // Five tokens, one per chunk, one second apart on a clock only the test moves.
        let scenario = Harness.phase {
            $0.completionTokens = 5
            $0.chunkInterval = .seconds(1)
        }
        let clock = ManualClock()
        try await Harness.withMock(scenario, clock: clock) { mock, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1"
            let stream = try await providers.provider(kind).stream(Harness.request(model: model, stream: true))
            var iterator = stream.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first.choices.first?.delta.role == .assistant)
            // The upstream is parked mid-answer: not finished, waiting to send the next chunk.
            await clock.waitForSleepers(count: 1)
            #expect(mock.stats.answered == 0)
            #expect(clock.now == .init(offset: .zero))

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<gaps {
                        await clock.waitForSleepers(count: 1)
                        clock.advance(by: .seconds(1))
                    }
                }
                var accumulator = ChatStreamAccumulator()
                accumulator.add(first)
                while let chunk = try await iterator.next() { accumulator.add(chunk) }
                try await group.waitForAll()
                #expect(accumulator.text.split(separator: " ").count == 5)
                #expect(accumulator.usage?.completionTokens == 5)
            }
            #expect(mock.stats.answered == 1)
            #expect(clock.now == .init(offset: .seconds(Int64(gaps))))
        }
    }

    /// Peak resident memory of this process (VmHWM), in bytes.
    static func peakResidentBytes() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") {
                let digits = text.filter(\.isNumber)
                return (Int(digits) ?? 0) * 1024
            }
        }
        return 0
    }

    /// Peak RSS is process-wide: the two cases run one after the other, after a warm-up stream, and the
    /// growth bound is generous because other suites may run in parallel; the parser bound is exact.
    @Test(.serialized, arguments: ProviderKind.allCases)
    func streamingTenMegabytesKeepsOnlyABoundedBuffer(kind: ProviderKind) async throws {
        // ≈ 6.4 bytes per token: 1.7 M tokens is ≈ 10.9 MB of text, in 1,700 chunks of 1,000 tokens.
        let scenario = Harness.phase {
            $0.completionTokens = 1_700_000
            $0.tokensPerChunk = 1_000
        }
        let highWater = Mutex(0)
        var peakBefore = 0
        let observer: @Sendable (Int) -> Void = { buffered in highWater.withLock { $0 = max($0, buffered) } }
        let (bytes, chunks) = try await Harness.withMock(scenario, observer: observer) { _, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1"
            let provider = providers.provider(kind)
            // Warm up connections, event loops and caches so that only the big stream is measured.
            _ = try await provider.stream(Harness.request(model: model, maxTokens: 50_000, stream: true)).collect()
            peakBefore = Self.peakResidentBytes()
            let stream = try await provider.stream(Harness.request(model: model, maxTokens: 2_000_000, stream: true))
            var bytes = 0
            var chunks = 0
            for try await chunk in stream {
                bytes += chunk.choices.first?.delta.content?.utf8.count ?? 0
                chunks += 1
            }
            return (bytes, chunks)
        }
        let peakGrowth = Self.peakResidentBytes() - peakBefore
        print(
            "[memory] \(kind.rawValue): streamed \(bytes) bytes in \(chunks) chunks; parser high-water \(highWater.withLock { $0 }) bytes; VmHWM growth \(peakGrowth / 1024) KiB"
        )
        #expect(bytes >= 10_000_000)
        #expect(highWater.withLock { $0 } > 0)
        #expect(highWater.withLock { $0 } < 64 * 1024, "the parser holds one event at a time, never the answer")
        // VmHWM is the whole process's, and the rest of the suite runs alongside: it only bounds
        // the gross failure (holding the answer, and its copies, at once); the parser's
        // high-water mark above is the tight check.
        #expect(peakGrowth < 2 * bytes, "peak RSS grew by \(peakGrowth) bytes for a \(bytes)-byte answer")
    }
}
