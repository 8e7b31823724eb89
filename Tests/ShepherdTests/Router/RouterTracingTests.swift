import Canary
import InMemoryTracing
import MockProvider
import Shepherd
import Testing
import Tracing
import Upstream

/// Attempt spans through the tracing API, recorded by swift-distributed-tracing's in-memory
/// tracer, with real upstreams on loopback.
struct RouterTracingTests {
    static let outage = RouterHarness.down

    @Test func aFailedOverCallHasAFailedRelayAttemptAndAnAnsweringLegacyAttemptUnderTheCallersSpan() async throws {
        let tracer = InMemoryTracer()
        try await RouterHarness.with(relay: Self.outage, tracing: RouterTracing(tracer: tracer)) { h in
            try await h.router.controller.apply(.setPercent(100))
            let parent = tracer.startSpan("caller", context: .topLevel)
            let answer = try await InstrumentationContext.$current.withValue(parent.context) {
                try await h.router.complete(RouterHarness.request(user: "traced"))
            }
            parent.end()
            #expect(answer.path == .legacy && answer.fellBack)

            let attempts = tracer.finishedSpans.filter { $0.operationName == "chat gpt-4.1" }
            #expect(attempts.count == 2)
            let relay = try #require(
                attempts.first { $0.attributes[ShepherdAttribute.path]?.toSpanAttribute() == .string("relay") })
            let legacy = try #require(
                attempts.first { $0.attributes[ShepherdAttribute.path]?.toSpanAttribute() == .string("legacy") })
            for span in [relay, legacy] {
                #expect(span.traceID == parent.traceID)
                #expect(span.parentSpanID == parent.spanID)
                #expect(span.kind == .client)
                #expect(span.attributes[GenAIAttribute.requestModel]?.toSpanAttribute() == .string("gpt-4.1"))
                #expect(span.attributes[GenAIAttribute.operationName]?.toSpanAttribute() == .string("chat"))
            }
            #expect(relay.status?.code == .error)
            #expect(relay.attributes[GenAIAttribute.errorType]?.toSpanAttribute() == .string("serverError"))
            #expect(relay.attributes[ShepherdAttribute.failover]?.toSpanAttribute() == .bool(false))
            #expect(legacy.status?.code != .error)
            #expect(legacy.attributes[ShepherdAttribute.failover]?.toSpanAttribute() == .bool(true))
            #expect(legacy.attributes[GenAIAttribute.providerName]?.toSpanAttribute() == .string("anthropic"))
            let usage = try #require(answer.response.usage)
            #expect(
                legacy.attributes[GenAIAttribute.inputTokens]?.toSpanAttribute() == .int64(Int64(usage.promptTokens)))
            #expect(
                legacy.attributes[GenAIAttribute.outputTokens]?.toSpanAttribute()
                    == .int64(Int64(usage.completionTokens)))
            // The prompt is not recorded unless asked for.
            #expect(legacy.attributes[GenAIAttribute.inputMessages] == nil)
        }
    }

    @Test func theUpstreamReceivesATraceparentOfTheAttempt() async throws {
        let tracer = InMemoryTracer(recordInjections: true)
        // The providers' HTTP clients take the tracer current when they are made, as in `serve`.
        try await withTracer(tracer) {
            try await RouterHarness.with(tracing: RouterTracing(tracer: tracer)) { h in
                _ = try await h.router.complete(RouterHarness.request(user: "traced"))
                let attempt = try #require(tracer.finishedSpans.first { $0.operationName == "chat gpt-4.1" })
                let sent = try #require(h.legacyMock.lastRequest ?? h.relayMock.lastRequest)
                #expect(sent.headers[InMemoryTracer.traceIDKey] == attempt.traceID)
                #expect(sent.headers[InMemoryTracer.spanIDKey] == attempt.spanID)
                // The attempt is the client span: AsyncHTTPClient starts none of its own.
                #expect(tracer.finishedSpans.count == 1)
            }
        }
    }

    @Test func recordContentPutsThePromptAndTheAnswerOnTheSpan() async throws {
        let tracer = InMemoryTracer()
        try await RouterHarness.with(tracing: RouterTracing(tracer: tracer, recordContent: true)) { h in
            _ = try await h.router.complete(RouterHarness.request(user: "traced"))
            let attempt = try #require(tracer.finishedSpans.first { $0.operationName == "chat gpt-4.1" })
            guard case .string(let input) = attempt.attributes[GenAIAttribute.inputMessages]?.toSpanAttribute() else {
                Issue.record("no input messages")
                return
            }
            #expect(input.contains("Say something about canaries."))
            #expect(attempt.attributes[GenAIAttribute.outputMessages] != nil)
        }
    }

    @Test func aStreamAttemptSpanEndsWithTheStreamAndCarriesTheTimeToFirstChunk() async throws {
        let tracer = InMemoryTracer()
        try await RouterHarness.with(tracing: RouterTracing(tracer: tracer)) { h in
            let stream = try await h.router.stream(RouterHarness.request(user: "streamer", stream: true))
            #expect(tracer.finishedSpans.isEmpty, "the attempt is still open while the stream runs")
            for try await _ in stream {}
            let attempt = try #require(tracer.finishedSpans.first { $0.operationName == "chat gpt-4.1" })
            #expect(attempt.attributes[GenAIAttribute.timeToFirstChunk] != nil)
        }
    }

    @Test func withNoTracerBootstrappedNoSpanIsMade() async throws {
        try await RouterHarness.with { h in
            let answer = try await h.router.complete(RouterHarness.request(user: "untraced"))
            #expect(!answer.attempts.isEmpty)
            #expect(InstrumentationSystem.tracer is NoOpTracer)
            let sent = try #require(h.legacyMock.lastRequest ?? h.relayMock.lastRequest)
            #expect(sent.headers["traceparent"] == nil)
        }
    }
}
