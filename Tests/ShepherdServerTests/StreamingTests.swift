import AsyncHTTPClient
import Canary
import Hummingbird
import HummingbirdTesting
import MockProvider
import Testing
import Upstream

@testable import ShepherdServer

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Splits a server-sent-event body into the `data:` payloads of its events.
func sseData(_ text: String) -> [String] {
    text.components(separatedBy: "\n\n").compactMap { event in
        event.hasPrefix("data: ") ? String(event.dropFirst(6)) : nil
    }
}

struct StreamingTests {
    @Test func streamEndsWithDoneAndDropsTheUsageChunkNobodyAskedFor() async throws {
        try await ServerHarness.with(percent: 100) { h in
            let response = try await h.chat(stream: true)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(response.headers[.shepherdPath] == "relay")
            let events = sseData(response.text)
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatChunk.self, from: Data($0.utf8)) }
            #expect(chunks.count >= 3)
            #expect(chunks.allSatisfy { !$0.choices.isEmpty && $0.usage == nil })
            #expect(!response.text.contains("\"usage\""))
            #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined().isEmpty == false)
        }
    }

    @Test func streamKeepsTheUsageChunkWhenTheClientAskedForIt() async throws {
        try await ServerHarness.with(percent: 0) { h in
            let response = try await h.chat(stream: true, extra: #""stream_options":{"include_usage":true}"#)
            #expect(response.headers[.shepherdPath] == "legacy")
            let events = sseData(response.text)
            #expect(events.last == "[DONE]")
            let last = try JSONDecoder().decode(ChatChunk.self, from: Data(events[events.count - 2].utf8))
            #expect(last.choices.isEmpty && last.usage != nil)
        }
    }

    @Test func chunksReachTheClientBeforeTheUpstreamHasFinished() async throws {
        let slowStream = ServerHarness.phase { $0.chunkInterval = .seconds(1) }
        try await ServerHarness.with(relay: slowStream, percent: 100) { h in
            let port = try #require(h.client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: ServerHarness.chatBody(stream: true)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            var body = response.body.makeAsyncIterator()
            var received = ""
            while !received.contains("\n\n"), let part = try await body.next() {
                received += String(buffer: part)
            }
            // The first event is here while the upstream waits, on its clock, to send the second.
            await h.mockClock.waitForSleepers(count: 1)
            #expect(sseData(received).count == 1)

            // Let the upstream go on, one chunk interval at a time, until the stream ends.
            let advancer = Task {
                while !Task.isCancelled {
                    await h.mockClock.waitForSleepers(count: 1)
                    h.mockClock.advance(by: .seconds(1))
                }
            }
            while let part = try await body.next() {
                received += String(buffer: part)
            }
            advancer.cancel()
            let nudge = Task { try? await h.mockClock.sleep(for: .seconds(3600)) }  // releases a parked advancer
            await advancer.value
            nudge.cancel()

            let events = sseData(received)
            #expect(events.count > 3)
            #expect(events.last == "[DONE]")
            #expect(h.mockClock.now.offset >= .seconds(events.count - 2), "the upstream paced the chunks")
        }
    }

    @Test func clientGoingAwayMidStreamClosesTheUpstreamStream() async throws {
        // A long answer: Shepherd must notice the departure long before the upstream could finish.
        // The mock's clock is advanced as fast as it sleeps, while Shepherd notices in real time: on
        // a loaded machine 1,000 chunks once went by first, so the answer is 100 times longer.
        let slowStream = ServerHarness.phase {
            $0.chunkInterval = .seconds(1)
            $0.completionTokens = 100_000
        }
        try await ServerHarness.with(relay: slowStream, percent: 100) { h in
            let port = try #require(h.client.port)
            let reader = Task {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: ServerHarness.chatBody(stream: true)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                var body = response.body.makeAsyncIterator()
                _ = try await body.next()  // the first chunk, then the caller hangs up
            }
            try await reader.value
            // Shepherd notices when it next writes: let the upstream send, until the relay sees it leave.
            let advancer = Task {
                while !Task.isCancelled {
                    await h.mockClock.waitForSleepers(count: 1)
                    h.mockClock.advance(by: .seconds(1))
                }
            }
            // (Or the upstream finished: then the test fails rather than hangs.)
            let stats = await h.relayMock.waitForStats { $0.clientDisconnects >= 1 || $0.answered >= 1 }
            advancer.cancel()
            let nudge = Task { try? await h.mockClock.sleep(for: .seconds(3600)) }
            await advancer.value
            nudge.cancel()
            #expect(stats.clientDisconnects == 1)
            #expect(stats.answered == 0, "the upstream stream was not read to its end")
        }
    }

    @Test func upstreamFailureAfterTheFirstChunkEndsWithAnErrorEventNotDone() async throws {
        let cut = FaultScenario.streamCut(afterChunks: 3, mode: .abort)
        try await ServerHarness.with(relay: cut, percent: 100) { h in
            let response = try await h.chat(stream: true)
            #expect(response.status == .ok)
            let events = sseData(response.text)
            #expect(!events.contains("[DONE]"))
            let last = try #require(events.last)
            let envelope = try JSONDecoder().decode(APIErrorEnvelope.self, from: Data(last.utf8))
            #expect(envelope.error.code == .string("stream_interrupted"))
            #expect(envelope.error.message.contains("incomplete"))
            #expect(events.count >= 2, "chunks before the cut were passed on")
        }
    }

    @Test func streamFailsOverToLegacyBeforeItsFirstChunk() async throws {
        let outage = ServerHarness.phase {
            $0.outage = true
            $0.outageStatus = 503
        }
        try await ServerHarness.with(relay: outage, percent: 100) { h in
            let response = try await h.chat(stream: true)
            #expect(response.status == .ok)
            #expect(response.headers[.shepherdPath] == "legacy")
            #expect(response.headers[.shepherdFallback] == "true")
            #expect(sseData(response.text).last == "[DONE]")
        }
    }

    @Test func streamThatNoPathCanStartGetsAnHTTPError() async throws {
        let outage = ServerHarness.phase {
            $0.outage = true
            $0.outageStatus = 503
        }
        try await ServerHarness.with(relay: outage, legacy: outage, percent: 100) { h in
            let response = try await h.chat(stream: true)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.openAIError?.code == "upstream_unavailable")
        }
    }
}

/// What a caller gets of each frame, by whether it asked for usage (`SSEWriter.bytes(of:)`).
struct StreamFrameWritingTests {
    static func chunk(content: String?, usage: Usage?) -> ChatChunk {
        ChatChunk(
            id: "c1", created: 1, model: "gpt-4.1",
            choices: content.map { [ChatChunk.Choice(delta: .init(content: $0))] } ?? [], usage: usage)
    }

    static let usage = Usage(promptTokens: 3, completionTokens: 5)

    @Test func aChunkWithoutUsageGoesAsItCameWhateverTheCallerAsked() throws {
        let frame = try StreamFrame(Self.chunk(content: "hi", usage: nil))
        for includeUsage in [false, true] {
            let bytes = try SSEWriter.bytes(of: frame, includeUsage: includeUsage, provider: "relay")
            #expect(bytes == frame.wire)
        }
    }

    @Test func aCallerWhoDidNotAskForUsageGetsNoneOfIt() throws {
        let usageOnly = try StreamFrame(Self.chunk(content: nil, usage: Self.usage))
        #expect(try SSEWriter.bytes(of: usageOnly, includeUsage: false, provider: "relay") == nil)
        #expect(try SSEWriter.bytes(of: usageOnly, includeUsage: true, provider: "relay") == usageOnly.wire)

        // Some gateways put usage on the last content chunk: the content goes, the usage does not.
        let both = try StreamFrame(Self.chunk(content: "end", usage: Self.usage))
        let stripped = try #require(try SSEWriter.bytes(of: both, includeUsage: false, provider: "relay"))
        let text = String(buffer: stripped)
        #expect(text.hasPrefix("data: {") && text.hasSuffix("}\n\n"))
        #expect(!text.contains("usage") && text.contains("\"end\""))
        #expect(try SSEWriter.bytes(of: both, includeUsage: true, provider: "relay") == both.wire)
    }
}
