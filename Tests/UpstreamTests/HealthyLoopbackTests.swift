import Canary
import MockProvider
import Testing
import Upstream

/// Both providers against a healthy mock over loopback: the answer, its shape, usage and metadata.
struct HealthyLoopbackTests {
    @Test(arguments: ProviderKind.allCases)
    func completeAnswerIsNormalisedToOpenAIShapeWithUsageAndCost(kind: ProviderKind) async throws {
        try await Harness.withMock { mock, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1"
            let answer = try await providers.provider(kind).complete(Harness.request(model: model))
            #expect(answer.object == "chat.completion")
            #expect(answer.id.hasPrefix("chatcmpl-"))
            #expect(answer.model == model)
            #expect(answer.choices.first?.finishReason == "stop")
            #expect(answer.text?.split(separator: " ").count == 12)
            let usage = try #require(answer.usage)
            #expect(usage.completionTokens == 12)
            #expect(usage.promptTokens > 0)
            let metadata = try #require(answer.metadata)
            #expect(metadata.kind == kind)
            #expect(metadata.provider == (kind == .anthropic ? "legacy" : "relay"))
            #expect(metadata.upstreamModel == (kind == .anthropic ? "claude-sonnet-4-5" : "gpt-4.1"))
            #expect(metadata.upstreamRequestID == "req_mock1")
            #expect(metadata.cost == usage.cost(model: model, prices: .defaults))
            #expect(metadata.cost != nil)
            #expect(mock.stats.answered == 1)
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func streamedAnswerArrivesChunkByChunkAndEndsWithUsage(kind: ProviderKind) async throws {
        try await Harness.withMock(
            Harness.phase {
                $0.completionTokens = 30
                $0.tokensPerChunk = 4
            }
        ) { mock, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1"
            let stream = try await providers.provider(kind).stream(Harness.request(model: model, stream: true))
            let chunks = try await Harness.drain(stream)
            var accumulator = ChatStreamAccumulator()
            for chunk in chunks { accumulator.add(chunk) }
            #expect(chunks.first?.choices.first?.delta.role == .assistant)
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" && $0.model == model })
            #expect(chunks.filter { $0.choices.first?.delta.content?.isEmpty == false }.count == 8)
            #expect(accumulator.text.split(separator: " ").count == 30)
            #expect(accumulator.response().choices.first?.finishReason == "stop")
            let last = try #require(chunks.last)
            #expect(last.choices.isEmpty)
            #expect(last.usage?.completionTokens == 30)
            #expect(stream.metadata.kind == kind)
            #expect(mock.stats.answered == 1)
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func collectedStreamCarriesUsageAndCostInMetadata(kind: ProviderKind) async throws {
        try await Harness.withMock { _, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "deepseek-v3.2"
            let answer = try await providers.provider(kind).stream(Harness.request(model: model, stream: true))
                .collect()
            let usage = try #require(answer.metadata?.usage)
            #expect(usage.completionTokens == 12)
            #expect(answer.metadata?.cost == usage.cost(model: model, prices: .defaults))
            #expect(answer.metadata?.cost != nil)
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func toolCallsComeBackInOpenAIShape(kind: ProviderKind) async throws {
        try await Harness.withMock { _, providers in
            var request = Harness.request(model: kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1")
            request.tools = [
                Tool(
                    function: .init(
                        name: "search", parameters: ["type": "object", "properties": ["query": ["type": "string"]]]))
            ]
            let answer = try await providers.provider(kind).complete(request)
            let call = try #require(answer.choices.first?.message.toolCalls?.first)
            #expect(answer.choices.first?.finishReason == "tool_calls")
            #expect(call.function?.name == "search")
            #expect(call.function?.arguments == #"{"query":"mock"}"#)
            #expect(call.type == "function")

            request.stream = true
            let streamed = try await providers.provider(kind).stream(request).collect()
            let streamedCall = try #require(streamed.choices.first?.message.toolCalls?.first)
            #expect(streamed.choices.first?.finishReason == "tool_calls")
            #expect(streamedCall.function?.name == "search")
            #expect(streamedCall.function?.arguments == #"{"query":"mock"}"#)
            #expect(streamedCall.id != nil)
        }
    }

    @Test func requestCarriesKeyExtraHeadersAndRequestIDButDescriptionsDoNot() async throws {
        try await Harness.withMock(apiKey: Harness.testKey) { mock, providers in
            _ = try await providers.openAI.complete(Harness.request(), context: CallContext(requestID: "trace-7"))
            let openAIRequest = try #require(mock.lastRequest)
            #expect(openAIRequest.path == "/v1/chat/completions")
            #expect(openAIRequest.headers["authorization"] == "Bearer \(Harness.testKey)")
            #expect(openAIRequest.headers["x-gateway-route"] == "canary")
            #expect(openAIRequest.headers["x-request-id"] == "trace-7")

            _ = try await providers.anthropic.complete(Harness.request(model: "claude-sonnet-4.5"))
            let anthropicRequest = try #require(mock.lastRequest)
            #expect(anthropicRequest.path == "/v1/messages")
            #expect(anthropicRequest.headers["x-api-key"] == Harness.testKey)
            #expect(anthropicRequest.headers["anthropic-version"] == "2023-06-01")
            #expect(anthropicRequest.headers["authorization"] == nil)

            for text in [
                "\(providers.openAI.configuration)", String(reflecting: providers.openAI.configuration),
                "\(providers.anthropic.configuration)", String(reflecting: providers.anthropic.configuration),
                "\(Secret(Harness.testKey))", String(reflecting: Secret(Harness.testKey)),
            ] {
                #expect(!text.contains(Harness.testKey))
                #expect(!text.contains("canary"))  // header values are secrets too
            }
            var dumped = ""
            dump(providers.openAI.configuration, to: &dumped)
            #expect(!dumped.contains(Harness.testKey))
        }
    }

    @Test func embeddingsAndModelsGoThroughTheOpenAIProvider() async throws {
        try await Harness.withMock { _, providers in
            let embeddings = try await providers.openAI.embeddings(
                EmbeddingRequest(model: "text-embedding-3-small", input: ["one", "two"]), context: CallContext())
            #expect(embeddings.data.count == 2)
            #expect(embeddings.data[0].vector?.count == 8)
            #expect(embeddings.data[0].vector != embeddings.data[1].vector)
            #expect(embeddings.usage?.promptTokens == 1)
            let models = try await providers.openAI.models(context: CallContext())
            #expect(models.data.map(\.id).contains("gpt-4.1"))
        }
    }

    @Test func anthropicHasNoEmbeddingsAndSaysSoAsAClientError() async throws {
        try await Harness.withMock { mock, providers in
            let error = await Harness.providerError {
                _ = try await providers.anthropic.embeddings(
                    EmbeddingRequest(model: "x", input: "text"), context: CallContext())
            }
            #expect(error?.code == .unsupported)
            #expect(error?.failureClass == .clientError)
            #expect(mock.stats.requests == 0)
        }
    }

    @Test func anthropicModelListIsReadInAnthropicFlavor() async throws {
        let mock = MockProviderServer(configuration: .init(flavor: .anthropic))
        try await mock.withRunning { port in
            let provider = AnthropicProvider(configuration: .init(baseURL: "http://127.0.0.1:\(port)/v1"))
            let models = try await provider.models(context: CallContext())
            #expect(models.data.map(\.id) == MockFlavor.anthropic.models)
            try await provider.shutdown()
        }
    }
}

extension HealthyLoopbackTests {
    @Test func aStreamCanBeReadOnlyOnce() async throws {
        try await Harness.withMock { _, providers in
            let stream = try await providers.openAI.stream(Harness.request(stream: true))
            _ = try await Harness.drain(stream)
            let error = await Harness.providerError { _ = try await Harness.drain(stream) }
            #expect(error?.code == .invalidRequest)
        }
    }
}
