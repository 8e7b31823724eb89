import Canary
import Foundation
import MockProvider
import ShepherdTesting
import Testing
import Upstream

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

    /// The peak-memory check runs in a process of its own (`StreamMemoryProbe`): VmHWM is
    /// process-wide, and in the test process the suites running alongside moved it by up to
    /// 25 MB, as much as the gross failure the check is there to catch.
    @Test(arguments: ProviderKind.allCases)
    func streamingTenMegabytesKeepsOnlyABoundedBuffer(kind: ProviderKind) async throws {
        let probe = try #require(
            ProductBinary.url(named: "StreamMemoryProbe"), "StreamMemoryProbe was not built next to the tests")
        let outcome = try await ProcessRunner.run(probe.path, [kind.rawValue], environment: [:], timeout: .seconds(300))
        try #require(outcome.status == 0, "the probe failed: \(outcome.stderr)")
        var figures: [String: Int] = [:]
        for field in outcome.stdout.split(whereSeparator: \.isWhitespace) {
            let parts = field.split(separator: "=")
            if parts.count == 2, let value = Int(parts[1]) { figures[String(parts[0])] = value }
        }
        let bytes = try #require(figures["bytes"], "\(outcome.stdout)")
        let highWater = try #require(figures["parserHighWater"], "\(outcome.stdout)")
        let peakGrowth = try #require(figures["peakGrowth"], "\(outcome.stdout)")
        print("[memory] \(kind.rawValue): \(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(bytes >= 10_000_000)
        #expect(figures["chunks"] ?? 0 >= 1_700)
        #expect(highWater > 0)
        #expect(highWater < 64 * 1024, "the parser holds one event at a time, never the answer")
        // Holding the answer at once (its event bytes, or its text) would raise the peak by about
        // its size or more; streamed, the peak moves by what the mock and the buffers need.
        #expect(peakGrowth < bytes / 2, "peak RSS grew by \(peakGrowth) bytes for a \(bytes)-byte answer")
    }
}
