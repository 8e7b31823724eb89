import AsyncHTTPClient
import Canary
import Hummingbird
import MockProvider
import NIOCore
import ShepherdTesting
import Synchronization
import Testing
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An upstream that answers every chat call with the same raw server-sent-event bytes: what
/// the pass-through forwards must be those bytes, not a re-encoding of them.
private func withRawUpstream<R>(
    _ events: String, _ body: (OpenAICompatibleProvider) async throws -> R
) async throws -> R {
    let router = Router()
    router.post("/v1/chat/completions") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: events)))
    }
    let port = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            port.continuation.yield(channel.localAddress?.port ?? 0)
            port.continuation.finish()
        })
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var ports = port.stream.makeAsyncIterator()
        let bound = try #require(await ports.next())
        let provider = OpenAICompatibleProvider(
            configuration: .init(
                name: "relay", baseURL: "http://127.0.0.1:\(bound)/v1", apiKey: Secret("sk-pass-0123456789ab")))
        defer { group.cancelAll() }
        return try await closing(provider.shutdown) { try await body(provider) }
    }
}

private func streamRequest() -> ChatRequest {
    Harness.request(stream: true)
}

struct PassThroughTests {
    /// Unknown fields, escapes, number formats and key order: the frame is the upstream's bytes.
    static let unusualChunk =
        #"{"choices":[{"delta":{"content":"h\u00e9 \/ \"q\""},"index":0,"x_vendor":{"score":1.50e0}}],"#
        + #""id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-2025","usage":null}"#
    static let usageChunk =
        #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-2025","choices":[],"#
        + #""usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}"#

    @Test func openAIChunksGoOnAsTheirBytesCameAndUsageIsStillRead() async throws {
        let events = "data: \(Self.unusualChunk)\n\n: keep-alive\n\ndata: \(Self.usageChunk)\r\n\r\ndata: [DONE]\n\n"
        try await withRawUpstream(events) { provider in
            let stream = try await provider.stream(streamRequest(), context: CallContext())
            var frames = stream.frames()
            var read: [StreamFrame] = []
            while let frame = try await frames.next() { read.append(frame) }
            #expect(read.count == 2)
            #expect(String(buffer: read[0].wire) == "data: \(Self.unusualChunk)\n\n")
            #expect(String(buffer: read[0].json) == Self.unusualChunk)
            #expect(read[0].hasChoices && read[0].usage == nil)
            #expect(read[0].model == "gpt-4.1-2025")
            #expect(String(buffer: read[1].wire) == "data: \(Self.usageChunk)\n\n")
            #expect(!read[1].hasChoices)
            #expect(read[1].usage?.promptTokens == 12 && read[1].usage?.completionTokens == 34)
            // The typed chunk is still there for whoever reads the text.
            let chunk = try read[0].chunk()
            #expect(chunk.choices.first?.delta.content == "hé / \"q\"")
            #expect(chunk.choices.first?.extras["x_vendor"] != nil)
        }
    }

    /// A chunk's usage is scanned, not decoded; what the scan declines (a count written `12.0`, a
    /// key twice) is decoded by `JSONDecoder`: either way the usage `JSONDecoder` reads.
    @Test(arguments: [
        #"{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}"#,
        #"{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":5}}"#,
        #"{"prompt_tokens":12.0,"completion_tokens":34,"total_tokens":46}"#,
        #"{"prompt_tokens":1,"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}"#,
        #"{"completion_tokens":34,"total_tokens":46}"#,
    ])
    func aChunksUsageIsTheUsageJSONDecoderReads(usage: String) async throws {
        let expected = try JSONDecoder().decode(Usage.self, from: Data(usage.utf8))
        let chunk =
            #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":"#
            + usage + "}"
        try await withRawUpstream("data: \(chunk)\n\ndata: [DONE]\n\n") { provider in
            let stream = try await provider.stream(streamRequest(), context: CallContext())
            var frames = stream.frames()
            let frame = try #require(try await frames.next())
            #expect(frame.usage == expected)
            #expect(String(buffer: frame.wire) == "data: \(chunk)\n\n")
        }
    }

    @Test func aUsageJSONDecoderRefusesIsAClassedFailureThatSaysSo() async throws {
        let chunk = #"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":"many"}}"#
        try await withRawUpstream("data: \(chunk)\n\ndata: [DONE]\n\n") { provider in
            let stream = try await provider.stream(streamRequest(), context: CallContext())
            let error = await #expect(throws: ProviderError.self) { _ = try await stream.collect() }
            #expect(error?.code == .malformedResponse)
            #expect(error?.message?.contains("its usage is not valid") == true)
        }
    }

    @Test func anEventSplitOverDataLinesIsWrittenAsOneLine() async throws {
        let events =
            "data: {\"id\":\"c2\",\ndata: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n"
        try await withRawUpstream(events) { provider in
            let chunks = try await provider.stream(streamRequest(), context: CallContext())
            var frames = chunks.frames()
            let frame = try #require(try await frames.next())
            #expect(
                String(buffer: frame.wire)
                    == "data: {\"id\":\"c2\", \"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n")
            #expect(try frame.chunk().choices.first?.delta.content == "a")
            #expect(try await frames.next() == nil)
        }
    }

    @Test(arguments: [
        #"{"choices":5}"#, #"{"choices":[1]}"#, #"{"usage":"lots"}"#, #"[1,2]"#, #"{"id":"c",}"#, #"{"id":"c""#,
    ])
    func anEventThatIsNotAChunkIsAClassedFailureNotAnEmptySuccess(event: String) async throws {
        try await withRawUpstream("data: \(event)\n\ndata: [DONE]\n\n") { provider in
            let stream = try await provider.stream(streamRequest(), context: CallContext())
            let error = await #expect(throws: ProviderError.self) { _ = try await stream.collect() }
            #expect(error?.code == .malformedResponse)
            #expect(error?.failureClass == .serverError)
        }
    }

    @Test func anErrorEventInPlaceOfAChunkIsTheUpstreamsError() async throws {
        let events = #"data: {"error":{"message":"slow down","type":"rate_limit_exceeded"}}"# + "\n\n"
        try await withRawUpstream(events) { provider in
            let stream = try await provider.stream(streamRequest(), context: CallContext())
            let error = await #expect(throws: ProviderError.self) { _ = try await stream.collect() }
            #expect(error?.code == .streamError)
            #expect(error?.failureClass == .rateLimited)
        }
    }

    /// A streamed call sends the caller's bytes: as they came when they ask for usage already,
    /// with `stream_options` written in when they have none, encoded only when they say otherwise.
    @Test func aStreamedCallSendsTheCallersBytes() async throws {
        let base = #"{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"hi"}],"x_extra":1.50}"#
        let asksUsage =
            #"{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}],"x":1.50}"#
        let refusesUsage =
            #"{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}"#
        try await Harness.withMock(clock: ContinuousClock()) { mock, providers in
            for (body, expected) in [
                (base, #"{"stream_options":{"include_usage":true},"# + base.dropFirst()),
                (asksUsage, asksUsage),
            ] {
                let request = try ChatRequest(json: ByteBuffer(string: body))
                _ = try await providers.openAI.stream(request, context: CallContext()).collect()
                #expect(mock.lastRequest?.body == expected)
            }
            let request = try ChatRequest(json: ByteBuffer(string: refusesUsage))
            let answer = try await providers.openAI.stream(request, context: CallContext()).collect()
            #expect(answer.metadata?.usage != nil, "usage is always asked for: cost accounting needs it")
            let sent = try #require(mock.lastRequest?.body)
            #expect(sent.contains(#""include_usage":true"#))
        }
    }

    /// A call queued behind a full pool waits at most the connect timeout, then fails as
    /// `pool_exhausted` (class `rateLimited`: retry later, or another path) without being sent.
    @Test func aCallQueuedBehindAFullPoolFailsAfterTheConnectTimeout() async throws {
        try await Self.withSlowStreams(connection: .init(connectTimeout: .milliseconds(300), maxConnectionsPerHost: 1))
        {
            mock, provider in
            // The first stream holds the only connection: its second chunk is a minute away.
            let first = try await provider.stream(streamRequest(), context: CallContext())
            var frames = first.frames()
            _ = try await frames.next()
            let requestsBefore = mock.stats.requests
            let error = await #expect(throws: ProviderError.self) {
                _ = try await provider.stream(streamRequest(), context: CallContext())
            }
            #expect(error?.code == .poolExhausted)
            #expect(error?.failureClass == .rateLimited)
            #expect(error?.label == "pool_exhausted")
            #expect(error?.message?.contains("maxConnections") == true)
            #expect(mock.stats.requests == requestsBefore, "the queued call was never sent")
        }
    }

    /// A provider built with the library's defaults holds many long streams to one upstream at
    /// once: each opens its own connection instead of queueing behind a small pool (the old
    /// default of 8 failed the ninth stream here as `pool_exhausted` after the connect timeout).
    @Test func theDefaultPoolHoldsManyLongStreamsAtOnce() async throws {
        try await Self.withSlowStreams(connection: UpstreamConnection()) { mock, provider in
            #expect(provider.configuration.maxConnectionsPerHost == UpstreamConnection.defaultMaxConnectionsPerHost)
            // Every stream is kept, and holds its connection: its second chunk is a minute away.
            let streams = 64
            var open: [(ChatChunkStream, ChatChunkStream.FrameIterator)] = []
            for _ in 0..<streams {
                let stream = try await provider.stream(streamRequest(), context: CallContext())
                var frames = stream.frames()
                #expect(try await frames.next() != nil)
                open.append((stream, frames))
            }
            #expect(open.count == streams)
            #expect(mock.stats.requests == streams)
        }
    }

    /// Runs `body` with a mock whose streams send a chunk a minute (so each holds its
    /// connection) and a provider on `connection` pointed at it, shut down afterwards.
    static func withSlowStreams(
        connection: UpstreamConnection,
        _ body: (MockProviderServer<ContinuousClock>, OpenAICompatibleProvider) async throws -> Void
    ) async throws {
        let slow = Harness.phase {
            $0.chunkInterval = .seconds(60)
            $0.completionTokens = 10
            $0.tokensPerChunk = 1
        }
        let mock = MockProviderServer(scenario: slow, configuration: .init(seed: 1), clock: ContinuousClock())
        try await mock.withRunning { port in
            let provider = OpenAICompatibleProvider(
                configuration: .init(
                    name: "relay", baseURL: "http://127.0.0.1:\(port)/v1", apiKey: Secret("sk-pool-0123456789ab"),
                    connection: connection))
            try await closing(provider.shutdown) { try await body(mock, provider) }
        }
    }
}
