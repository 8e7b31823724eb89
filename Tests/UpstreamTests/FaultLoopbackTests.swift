import Canary
import MockProvider
import Testing
import Upstream

/// Every fault of the mock, over loopback, through both providers, complete and streamed,
/// with the error class each one produces.
struct FaultLoopbackTests {
    struct Call: CustomTestStringConvertible, Sendable {
        var kind: ProviderKind
        var streaming: Bool
        var testDescription: String { "\(kind.rawValue) \(streaming ? "stream" : "complete")" }

        var model: String { kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1" }

        /// Makes the call and reads the whole answer.
        func run(_ providers: Providers, maxTokens: Int? = nil) async throws -> ChatResponse {
            let request = Harness.request(model: model, maxTokens: maxTokens, stream: streaming)
            let provider = providers.provider(kind)
            return streaming ? try await provider.stream(request).collect() : try await provider.complete(request)
        }
    }

    static let calls: [Call] = ProviderKind.allCases.flatMap { kind in
        [false, true].map { Call(kind: kind, streaming: $0) }
    }
    static let streams: [Call] = calls.filter(\.streaming)

    static let statusTable: [(status: Int, failureClass: FailureClass)] = [
        (400, .clientError), (401, .authError), (403, .authError), (404, .clientError), (408, .timeout),
        (422, .clientError), (429, .rateLimited), (500, .serverError), (502, .serverError), (503, .serverError),
        (504, .serverError), (529, .serverError),
    ]

    @Test(arguments: calls)
    func errorStatusesAreClassifiedByTheFailureTable(call: Call) async throws {
        try await Harness.withMock { mock, providers in
            for (status, failureClass) in Self.statusTable {
                mock.setScenario(Harness.phase { $0.errorRates = [status: 1] })
                let error = await Harness.providerError { _ = try await call.run(providers) }
                #expect(error?.code == .httpStatus, "status \(status)")
                #expect(error?.httpStatus == status)
                #expect(error?.failureClass == failureClass, "status \(status)")
                #expect(error?.label == "http_\(status)")
                #expect(error?.message?.contains("mock") == true, "the upstream's message is kept")
            }
            #expect(mock.stats.errorsByStatus.values.reduce(0, +) == Self.statusTable.count)
        }
    }

    @Test(arguments: calls)
    func wrongAPIKeyIsAnAuthErrorWhoseDescriptionNeverShowsTheKey(call: Call) async throws {
        try await Harness.withMock(apiKey: "the-right-key") { _, providers in
            let error = try #require(await Harness.providerError { _ = try await call.run(providers) })
            #expect(error.failureClass == .authError)
            #expect(error.httpStatus == 401)
            #expect(!error.description.contains(Harness.testKey))
            #expect(!String(reflecting: error).contains(Harness.testKey))
        }
    }

    @Test(arguments: calls)
    func rateLimitCarriesRetryAfterInSeconds(call: Call) async throws {
        let scenario = Harness.phase {
            $0.errorRates = [429: 1]
            $0.retryAfter = .seconds(2)
        }
        try await Harness.withMock(scenario) { _, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.failureClass == .rateLimited)
            #expect(error?.retryAfter == .delay(.seconds(2)))
        }
    }

    @Test(arguments: calls)
    func rateLimitCarriesRetryAfterAsHTTPDate(call: Call) async throws {
        let scenario = Harness.phase {
            $0.errorRates = [429: 1]
            $0.retryAfter = .seconds(5)
            $0.retryAfterFormat = .httpDate
        }
        let wallClock: @Sendable () -> Int64 = { 1_700_000_000 }
        try await Harness.withMock(scenario, wallClock: wallClock) { _, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.failureClass == .rateLimited)
            #expect(error?.retryAfter == .date(unixSeconds: 1_700_000_005))
        }
    }

    @Test(arguments: calls)
    func outageWindowFailsOnlyWhileItLasts(call: Call) async throws {
        var outage = FaultScenario.Phase(at: .seconds(60))
        outage.outage = true
        let scenario = FaultScenario(name: "window", phases: [.init(at: .zero), outage, .init(at: .seconds(120))])
        let clock = ManualClock()
        try await Harness.withMock(scenario, clock: clock) { mock, providers in
            _ = try await call.run(providers)
            clock.advance(to: .init(offset: .seconds(60)))
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.httpStatus == 503)
            #expect(error?.failureClass == .serverError)
            #expect(error?.retryAfter == .delay(.seconds(1)))
            clock.advance(to: .init(offset: .seconds(119)))
            #expect(await Harness.providerError { _ = try await call.run(providers) }?.httpStatus == 503)
            clock.advance(to: .init(offset: .seconds(120)))
            _ = try await call.run(providers)
            #expect(mock.stats.answered == 2)
            #expect(mock.stats.errorsByStatus == [503: 2])
        }
    }

    @Test(arguments: calls)
    func connectionResetIsAConnectionFailure(call: Call) async throws {
        try await Harness.withMock(Harness.phase { $0.resetRate = 1 }) { mock, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.code == .connection)
            #expect(error?.failureClass == .connection)
            #expect(mock.stats.resets == 1)
        }
    }

    static let garbage: [(Call, MalformedBody)] = calls.flatMap { call in
        [MalformedBody.truncated, .html, .empty].map { (call, $0) }
    }

    @Test(arguments: garbage)
    func anUnreadableAnswerIsOneFailoverClassCompleteOrStreamed(call: Call, body: MalformedBody) async throws {
        let scenario = Harness.phase {
            $0.malformedRate = 1
            $0.malformedBody = body
        }
        try await Harness.withMock(scenario) { mock, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.code == .malformedResponse, "\(String(describing: error))")
            #expect(error?.failureClass == .serverError)
            #expect(error?.failureClass.isFailover == true)
            #expect(error?.upstreamMayHaveCompleted == true, "the answer arrived: it is not asked for again")
            #expect(mock.stats.malformed == 1)
        }
    }

    @Test(arguments: streams)
    func streamCutMidwayIsAConnectionFailureAfterTheFirstChunks(call: Call) async throws {
        let scenario = FaultScenario.streamCut(afterChunks: 5, mode: .abort)
        try await Harness.withMock(scenario) { mock, providers in
            let stream = try await providers.provider(call.kind).stream(
                Harness.request(model: call.model, stream: true))
            // How many of the frames written before the cut the client reads first depends on
            // when the close overtakes them (the server's async writer queues frames), so only
            // the outcome is asserted here; chunk-by-chunk delivery is StreamingTests' subject.
            let error = await Harness.providerError {
                for try await _ in stream {}
            }
            #expect(error?.code == .connection)
            #expect(error?.failureClass == .connection)
            #expect(mock.stats.streamsCut == 1)
        }
    }

    @Test(arguments: streams)
    func streamEndingCleanlyWithoutTerminalEventIsTruncatedNotComplete(call: Call) async throws {
        let scenario = FaultScenario.streamCut(afterChunks: 5, mode: .clean)
        try await Harness.withMock(scenario) { _, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.code == .streamTruncated)
            #expect(error?.failureClass == .connection)
            #expect(error?.message?.contains(call.kind == .anthropic ? "message_stop" : "[DONE]") == true)
        }
    }

    @Test(arguments: streams)
    func stalledStreamTimesOutAndTheMockSeesTheClientLeave(call: Call) async throws {
        let scenario = Harness.phase {
            $0.stallRate = 1
            $0.stallAfterChunks = 3
            $0.stallDuration = nil
        }
        // The mock stalls on a manual clock that never moves; the client's idle-read timeout ends it.
        // Two seconds, not less: with the whole suite running alongside, the head and the first
        // chunks can take a few hundred milliseconds to come, and this test is about the stall.
        try await Harness.withMock(scenario, clock: ManualClock(), readIdleTimeout: .seconds(2)) {
            mock, providers in
            let stream = try await providers.provider(call.kind).stream(
                Harness.request(model: call.model, stream: true))
            var received = 0
            let error = await Harness.providerError {
                for try await _ in stream { received += 1 }
            }
            #expect(received >= 1)
            #expect(error?.code == .timeout)
            #expect(error?.failureClass == .timeout)
            let stats = await mock.waitForStats { $0.clientDisconnects == 1 }
            #expect(stats.streamsStalled == 1)
        }
    }

    @Test(arguments: streams)
    func slowFirstTokenTimesOutAStreamWithAShortIdleTimeout(call: Call) async throws {
        let scenario = Harness.phase { $0.firstTokenDelay = .seconds(30) }
        try await Harness.withMock(scenario, clock: ManualClock(), readIdleTimeout: .milliseconds(300)) {
            _, providers in
            var received = 0
            // The idle timeout may fire while waiting for the response head or for the first
            // body bytes (which one depends on scheduling): both are the same failure.
            let error = await Harness.providerError {
                let stream = try await providers.provider(call.kind).stream(
                    Harness.request(model: call.model, stream: true))
                for try await _ in stream { received += 1 }
            }
            #expect(received == 0, "nothing arrives before the first token")
            #expect(error?.failureClass == .timeout)
        }
    }

    @Test(arguments: streams)
    func slowFirstTokenArrivesOnceItsDelayHasPassed(call: Call) async throws {
        let scenario = Harness.phase { $0.firstTokenDelay = .seconds(30) }
        let clock = ManualClock()
        try await Harness.withMock(scenario, clock: clock) { mock, providers in
            let stream = try await providers.provider(call.kind).stream(
                Harness.request(model: call.model, stream: true))
            await clock.waitForSleepers(count: 1)
            #expect(mock.stats.streamedBytes == 0)
            clock.advance(by: .seconds(30))
            let answer = try await stream.collect()
            #expect(answer.choices.first?.finishReason == "stop")
        }
    }

    @Test(arguments: calls)
    func latencyDelaysTheAnswerOnTheMockClock(call: Call) async throws {
        let clock = ManualClock()
        try await Harness.withMock(Harness.phase { $0.latency = .fixed(.seconds(5)) }, clock: clock) {
            mock, providers in
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask { try await call.run(providers) }
                await clock.waitForSleepers(count: 1)
                #expect(mock.stats.answered == 0)
                clock.advance(by: .seconds(5))
                let answer = try await group.next()
                #expect(answer?.choices.first?.finishReason == "stop")
            }
        }
    }

    @Test(arguments: calls)
    func answerSlowerThanTheTimeoutIsATimeout(call: Call) async throws {
        // The mock waits on a manual clock that never moves: only the provider's own timeout can end the call.
        try await Harness.withMock(
            Harness.phase { $0.latency = .fixed(.seconds(60)) }, clock: ManualClock(), timeout: .milliseconds(300)
        ) { _, providers in
            let error = await Harness.providerError { _ = try await call.run(providers) }
            #expect(error?.code == .timeout)
            #expect(error?.failureClass == .timeout)
            #expect(error?.upstreamMayHaveCompleted == true, "the request was sent: the upstream may be generating it")
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func aCompleteCallIsBoundedByItsTimeoutAloneUnlessAReadIdleTimeoutIsSet(kind: ProviderKind) {
        // A complete answer sends nothing until it is generated: any shorter silence limit would
        // fail every answer that takes longer, whatever `timeout` says.
        switch kind {
        case .openAICompatible:
            let configuration = OpenAICompatibleProvider.Configuration(
                baseURL: "http://x/v1", connection: .init(timeout: .seconds(90)))
            #expect(configuration.readIdleTimeout == nil && configuration.effectiveReadIdleTimeout == .seconds(90))
            var explicit = configuration
            explicit.readIdleTimeout = .seconds(20)
            #expect(explicit.effectiveReadIdleTimeout == .seconds(20))
        case .anthropic:
            let configuration = AnthropicProvider.Configuration(connection: .init(timeout: .seconds(90)))
            #expect(configuration.readIdleTimeout == nil && configuration.effectiveReadIdleTimeout == .seconds(90))
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func cancellingTheCallerClosesTheUpstreamStream(kind: ProviderKind) async throws {
        let scenario = Harness.phase {
            $0.stallRate = 1
            $0.stallAfterChunks = 2
            $0.stallDuration = nil
        }
        try await Harness.withMock(scenario, clock: ManualClock()) { mock, providers in
            let model = kind == .anthropic ? "claude-sonnet-4.5" : "gpt-4.1"
            let stream = try await providers.provider(kind).stream(Harness.request(model: model, stream: true))
            let (firstChunk, signal) = AsyncStream.makeStream(of: Void.self)
            let consumer = Task<ProviderError?, Never> {
                await Harness.providerError {
                    for try await _ in stream { signal.yield() }
                }
            }
            var iterator = firstChunk.makeAsyncIterator()
            _ = await iterator.next()
            await mock.waitForStats { $0.streamsStalled == 1 }
            #expect(mock.stats.clientDisconnects == 0)
            consumer.cancel()
            let stats = await mock.waitForStats { $0.clientDisconnects == 1 }
            #expect(stats.clientDisconnects == 1, "the upstream connection was closed")
            #expect(await consumer.value?.failureClass == .cancelled)
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func cancellingACompleteCallIsClassifiedAsCancelled(kind: ProviderKind) async throws {
        let clock = ManualClock()
        try await Harness.withMock(Harness.phase { $0.latency = .fixed(.seconds(60)) }, clock: clock) {
            _, providers in
            let call = Call(kind: kind, streaming: false)
            let task = Task { await Harness.providerError { _ = try await call.run(providers) } }
            await clock.waitForSleepers(count: 1)
            task.cancel()
            #expect(await task.value?.failureClass == .cancelled)
        }
    }

    @Test func sameSeedGivesTheSameFaultsAndAnotherSeedDoesNot() async throws {
        var phase = FaultScenario.Phase()
        phase.errorRates = [503: 0.2, 429: 0.2]
        phase.resetRate = 0.1
        phase.malformedRate = 0.1
        let scenario = FaultScenario(name: "mixed", phase)

        func outcomes(seed: UInt64) async throws -> [String] {
            try await Harness.withMock(scenario, seed: seed) { _, providers in
                var labels: [String] = []
                for _ in 0..<40 {
                    let error = await Harness.providerError {
                        _ = try await providers.openAI.complete(Harness.request())
                    }
                    labels.append(error?.label ?? "ok")
                }
                return labels
            }
        }
        let first = try await outcomes(seed: 7)
        let again = try await outcomes(seed: 7)
        let other = try await outcomes(seed: 8)
        #expect(first == again)
        #expect(first != other)
        #expect(Set(first).isSuperset(of: ["ok", "http_503", "http_429", "connection", "malformed_response"]))
    }
}
