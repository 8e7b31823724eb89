import Canary
import Hummingbird
import NIOCore
import Resilience
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Thrown by a handler after it reset the connection on purpose.
struct MockConnectionReset: Error {}

/// What the mock needs from a chat request, whichever wire format it came in.
private struct ChatAsk {
    var model: String
    var promptCharacters: Int
    var maxTokens: Int?
    var stream: Bool
    var includeUsage: Bool
    var toolName: String?
    /// The last user message's text (what `answerText: echo` answers with).
    var lastUserText: String
}

extension MockProviderServer {
    func makeRouter() -> Router<MockRequestContext> {
        let router = Router(context: MockRequestContext.self)
        router.post("/v1/chat/completions") { request, context in
            try await self.chat(request, context: context, anthropic: false)
        }
        router.post("/v1/messages") { request, context in
            try await self.chat(request, context: context, anthropic: true)
        }
        router.post("/v1/embeddings") { request, context in
            try await self.embeddings(request, context: context)
        }
        router.get("/v1/models") { request, context in
            try await self.models(request, context: context)
        }
        router.get("/mock/stats") { _, _ in
            Self.json(self.stats)
        }
        // The head of the last API request (credentials shown as `[set]`, no body): how an
        // out-of-process test checks what a client sent, e.g. its `traceparent`.
        router.get("/mock/last-request") { _, _ in
            guard let last = self.lastRequest else {
                return Response(status: .notFound, headers: Self.headers(number: 0, contentType: "application/json"))
            }
            var headers = last.headers
            for name in ["authorization", "x-api-key"] where headers[name] != nil { headers[name] = "[set]" }
            return Self.json(LastRequestHead(method: last.method, path: last.path, headers: headers))
        }
        // Swaps the fault scenario live (body: a scenario in YAML or JSON, as in scenarios/faults/):
        // how an out-of-process test or a runbook drill breaks a running mock.
        router.put("/mock/scenario") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            do {
                let scenario = try FaultScenario.parse(yaml: String(buffer: body), file: "PUT /mock/scenario")
                self.setScenario(scenario)
                return Self.json(["scenario": scenario.name])
            } catch {
                return Response(
                    status: .badRequest, headers: Self.headers(number: 0, contentType: "application/json"),
                    body: .init(byteBuffer: Self.encode(["error": "\(error)"])))
            }
        }
        return router
    }

    // MARK: Chat

    private func chat(_ request: Request, context: MockRequestContext, anthropic: Bool) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let record = Self.record(request, body: body)
        let ask: ChatAsk
        do {
            ask = anthropic ? try Self.anthropicAsk(body) : try Self.openAIAsk(body)
        } catch {
            updateStats { _ in }
            return errorResponse(status: 400, anthropic: anthropic, phase: nil, number: 0)
        }
        if let required = configuration.apiKey, !Self.authorized(request, key: required) {
            let (number, _) = decide(streaming: false, record: record)
            updateStats { $0.errorsByStatus[401, default: 0] += 1 }
            return errorResponse(status: 401, anthropic: anthropic, phase: nil, number: number)
        }
        let (number, decision) = decide(streaming: ask.stream, record: record, model: ask.model)
        if decision.latency > .zero { try await clock.sleep(for: decision.latency) }

        let answer = MockAnswer(
            requestNumber: number, model: ask.model, created: configuration.wallClock(),
            promptText: ask.promptCharacters, maxTokens: ask.maxTokens, phase: decision.phase,
            toolName: ask.toolName, includeUsage: ask.includeUsage, echo: ask.lastUserText)

        if let failed = try await failure(decision, context: context, number: number, anthropic: anthropic) {
            return failed
        }
        let malformed = decision.outcome == .malformed
        if malformed, !ask.stream || decision.phase.malformedBody != .truncated {
            // A stream asked for gets the same whole-body garbage: a gateway that answers HTML
            // or the wrong API does so whatever `stream` says. Only `truncated` breaks one event.
            updateStats { $0.malformed += 1 }
            let (contentType, body) = Self.malformedAnswer(
                answer, kind: decision.phase.malformedBody, anthropic: anthropic, stream: ask.stream)
            return Response(
                status: .ok, headers: Self.headers(number: number, contentType: contentType),
                body: .init(byteBuffer: body))
        }
        if !ask.stream {
            updateStats { $0.answered += 1 }
            let json = anthropic ? Self.encode(answer.anthropicResponse()) : Self.encode(answer.openAIResponse())
            return Response(
                status: .ok, headers: Self.headers(number: number, contentType: "application/json"),
                body: .init(byteBuffer: json))
        }
        let channel = context.channel
        let phase = decision.phase
        let fault = decision.streamFault
        return Response(
            status: .ok, headers: Self.headers(number: number, contentType: "text/event-stream"),
            body: ResponseBody { writer in
                try await self.writeStream(
                    answer, anthropic: anthropic, phase: phase, fault: fault, malformed: malformed,
                    channel: channel, writer: &writer)
            })
    }

    private func writeStream(
        _ answer: MockAnswer, anthropic: Bool, phase: FaultScenario.Phase, fault: MockDecision.StreamFault?,
        malformed: Bool, channel: any Channel, writer: inout any ResponseBodyWriter
    ) async throws {
        let finished = OneShotSignal()
        let departed = OneShotSignal()
        let watcher = ClientDepartureWatcher { [self] in
            guard !departed.hasFired else { return }
            departed.fire()
            if !finished.hasFired { updateStats { $0.clientDisconnects += 1 } }
        }
        try? await channel.pipeline.addHandler(watcher, position: .first).get()
        defer { channel.pipeline.removeHandler(watcher, promise: nil) }
        var frames = MockAnswer.Frames(answer: answer, anthropic: anthropic)
        var written = 0
        var stalled = false
        if phase.firstTokenDelay > .zero {
            if try await sleepUnlessDeparted(phase.firstTokenDelay, departed: departed) { throw MockConnectionReset() }
        }
        while let frame = frames.next() {
            if case .cut(let after, let mode)? = fault, written == after {
                updateStats { $0.streamsCut += 1 }
                finished.fire()
                switch mode {
                case .clean:
                    try await writer.finish(nil)
                    return
                case .abort:
                    // Close in the middle of the chunked body: the client sees the body end
                    // before its terminating chunk. (`resetRate` covers connection resets.)
                    try? await channel.close().get()
                    throw MockConnectionReset()
                }
            }
            if case .stall(let after, let duration)? = fault, written == after, !stalled {
                stalled = true
                updateStats { $0.streamsStalled += 1 }
                if try await sleepUnlessDeparted(duration, departed: departed) { throw MockConnectionReset() }
            }
            if written > 0, phase.chunkInterval > .zero { try await clock.sleep(for: phase.chunkInterval) }
            if malformed, written == 1 {
                updateStats { $0.malformed += 1 }
                try await writer.write(MockAnswer.malformedFrame(anthropic: anthropic))
            }
            try await writer.write(frame)
            written += 1
            let size = frame.readableBytes
            updateStats { $0.streamedBytes += size }
        }
        finished.fire()
        updateStats { $0.answered += 1 }
        try await writer.finish(nil)
    }

    /// Sleeps on the mock's clock for `duration` (`nil`: until the client leaves).
    /// - Returns: `true` when the client left first.
    private func sleepUnlessDeparted(_ duration: Duration?, departed closed: OneShotSignal) async throws -> Bool {
        let clock = clock
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await clock.sleep(for: duration ?? .seconds(100 * 365 * 86_400))
                return false
            }
            group.addTask {
                await closed.wait()
                return true
            }
            defer { group.cancelAll() }
            return try await group.next() ?? true
        }
    }

    // MARK: Embeddings and models

    private func embeddings(_ request: Request, context: MockRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let record = Self.record(request, body: body)
        guard
            let embeddingRequest = try? JSONDecoder().decode(EmbeddingRequest.self, from: Data(body.readableBytesView))
        else {
            return errorResponse(status: 400, anthropic: false, phase: nil, number: 0)
        }
        let (number, decision) = decide(streaming: false, record: record)
        if decision.latency > .zero { try await clock.sleep(for: decision.latency) }
        if let early = try await earlyOutcome(decision, context: context, number: number) { return early }
        let texts = embeddingRequest.texts
        let data = texts.enumerated().map { index, text in
            EmbeddingResponse.Embedding(index: index, embedding: .array(Self.vector(for: text).map { .number($0) }))
        }
        let tokens = max(1, texts.map(\.utf8.count).reduce(0, +) / 4)
        updateStats { $0.answered += 1 }
        return Self.json(
            EmbeddingResponse(
                data: data, model: embeddingRequest.model, usage: .init(promptTokens: tokens)), number: number)
    }

    private func models(_ request: Request, context: MockRequestContext) async throws -> Response {
        let (number, decision) = decide(streaming: false, record: Self.record(request, body: ByteBuffer()))
        if decision.latency > .zero { try await clock.sleep(for: decision.latency) }
        if let early = try await earlyOutcome(decision, context: context, number: number) { return early }
        updateStats { $0.answered += 1 }
        switch configuration.flavor {
        case .openai:
            return Self.json(
                ModelList(
                    data: configuration.flavor.models.map { .init(id: $0, created: 1_700_000_000, ownedBy: "mock") }),
                number: number)
        case .anthropic:
            let data: [JSONValue] = configuration.flavor.models.map {
                ["type": "model", "id": .string($0), "display_name": .string($0), "created_at": "2025-09-29T00:00:00Z"]
            }
            return Self.json(JSONValue.object(["data": .array(data), "has_more": false]), number: number)
        }
    }

    /// Resets and status errors, for every route: `nil` when the decision is to answer (or to
    /// answer malformed, which each route does its own way).
    private func failure(_ decision: MockDecision, context: MockRequestContext, number: Int, anthropic: Bool)
        async throws -> Response?
    {
        switch decision.outcome {
        case .reset:
            updateStats { $0.resets += 1 }
            await Self.reset(context.channel)
            throw MockConnectionReset()
        case .status(let status):
            updateStats { $0.errorsByStatus[status, default: 0] += 1 }
            return errorResponse(status: status, anthropic: anthropic, phase: decision.phase, number: number)
        case .malformed, .answer:
            return nil
        }
    }

    /// Resets, status errors and a malformed list for the simple routes.
    private func earlyOutcome(_ decision: MockDecision, context: MockRequestContext, number: Int) async throws
        -> Response?
    {
        if let failed = try await failure(decision, context: context, number: number, anthropic: false) {
            return failed
        }
        guard decision.outcome == .malformed else { return nil }
        updateStats { $0.malformed += 1 }
        return Response(
            status: .ok, headers: Self.headers(number: number, contentType: "application/json"),
            body: .init(byteBuffer: ByteBuffer(string: "{\"object\":\"list\",\"data\":[{")))
    }

    // MARK: Pieces

    /// The content type and body of a malformed 200 answer of the given kind.
    static func malformedAnswer(_ answer: MockAnswer, kind: MalformedBody, anthropic: Bool, stream: Bool)
        -> (contentType: String, body: ByteBuffer)
    {
        switch kind {
        case .truncated:
            let json = anthropic ? encode(answer.anthropicResponse()) : encode(answer.openAIResponse())
            return ("application/json", json.getSlice(at: json.readerIndex, length: json.readableBytes / 2) ?? json)
        case .html:
            return (
                "text/html; charset=utf-8",
                ByteBuffer(string: "<!DOCTYPE html><html><head><title>Sign in</title></head><body>mock</body></html>\n")
            )
        case .empty:
            return (stream ? "text/event-stream" : "application/json", ByteBuffer())
        case .otherFlavor:
            return (
                "application/json", anthropic ? encode(answer.openAIResponse()) : encode(answer.anthropicResponse())
            )
        case .noChoices:
            var response = answer.openAIResponse()
            response.choices = []
            return ("application/json", encode(response))
        }
    }

    private func errorResponse(status: Int, anthropic: Bool, phase: FaultScenario.Phase?, number: Int) -> Response {
        var headers = Self.headers(number: number, contentType: "application/json")
        if [429, 503, 529].contains(status), let phase, let delay = phase.retryAfter {
            let seconds = Int64(inSeconds(delay).rounded(.up))
            headers[.retryAfter] =
                switch phase.retryAfterFormat {
                case .seconds: String(seconds)
                case .httpDate: HTTPDate.format(unixSeconds: configuration.wallClock() + seconds)
                }
        }
        let body =
            anthropic
            ? Self.encode(MockAnswer.anthropicError(status: status))
            : Self.encode(MockAnswer.openAIError(status: status))
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
    }

    private static func headers(number: Int, contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType]
        headers[.init("x-request-id")!] = "req_mock\(number)"
        if contentType == "text/event-stream" { headers[.cacheControl] = "no-cache" }
        return headers
    }

    private static func json(_ value: some Encodable, number: Int = 0) -> Response {
        Response(
            status: .ok, headers: headers(number: number, contentType: "application/json"),
            body: .init(byteBuffer: encode(value)))
    }

    static func encode(_ value: some Encodable) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8))
    }

    /// Closes the connection with a TCP reset (SO_LINGER 0), as a crashing upstream or a middlebox would.
    static func reset(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(NIOLinger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }

    private static func authorized(_ request: Request, key: String) -> Bool {
        if request.headers[.authorization] == "Bearer \(key)" { return true }
        return request.headers[.init("x-api-key")!] == key
    }

    private static func record(_ request: Request, body: ByteBuffer) -> MockRecordedRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        return MockRecordedRequest(
            method: request.method.rawValue, path: request.uri.path, headers: headers,
            body: String(decoding: body.readableBytesView.prefix(1 << 20), as: UTF8.self))
    }

    private static func openAIAsk(_ body: ByteBuffer) throws -> ChatAsk {
        let request = try JSONDecoder().decode(ChatRequest.self, from: Data(body.readableBytesView))
        let characters = request.messages.map { $0.content?.text.utf8.count ?? 0 }.reduce(0, +)
        let offersTools = !(request.tools ?? []).isEmpty && request.toolChoice?.stringValue != "none"
        let answersTool = request.messages.last?.role == .tool
        return ChatAsk(
            model: request.model, promptCharacters: characters, maxTokens: request.outputTokenLimit,
            stream: request.isStreaming, includeUsage: request.streamOptions?.includeUsage ?? false,
            toolName: offersTools && !answersTool ? request.tools?.first?.function.name : nil,
            lastUserText: request.messages.last { $0.role == .user }?.content?.text ?? "")
    }

    private static func anthropicAsk(_ body: ByteBuffer) throws -> ChatAsk {
        let request = try JSONDecoder().decode(AnthropicMessagesRequest.self, from: Data(body.readableBytesView))
        let characters =
            (request.system?.utf8.count ?? 0)
            + request.messages.flatMap(\.content).map { ($0.text ?? $0.content?.stringValue ?? "").utf8.count }.reduce(
                0, +)
        let offersTools = !(request.tools ?? []).isEmpty && request.toolChoice?["type"]?.stringValue != "none"
        let answersTool = request.messages.last?.content.contains { $0.type == "tool_result" } ?? false
        return ChatAsk(
            model: request.model, promptCharacters: characters, maxTokens: request.maxTokens,
            stream: request.stream ?? false, includeUsage: true,
            toolName: offersTools && !answersTool ? request.tools?.first?.name : nil,
            lastUserText: request.messages.last { $0.role == "user" }?.content.compactMap(\.text).joined(separator: " ")
                ?? "")
    }

    /// A deterministic unit-ish vector for a text (FNV-1a seeded SplitMix64).
    private static func vector(for text: String) -> [Double] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var generator = SeededGenerator(seed: hash)
        return (0..<8).map { _ in Double.random(in: -1...1, using: &generator) }
    }
}

/// `GET /mock/last-request`'s answer.
private struct LastRequestHead: Encodable {
    var method: String
    var path: String
    var headers: [String: String]
}
