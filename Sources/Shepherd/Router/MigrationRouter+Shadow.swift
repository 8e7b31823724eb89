public import Canary
import Resilience
public import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MigrationRouter {
    /// After legacy answered a call during the shadow phase: when the call is sampled, queue the
    /// same request to the relay (not streamed), to be compared with legacy's answer.
    ///
    /// The client's answer is already decided; the shadow call runs on the controller's shadow
    /// runner, outside every executor, so it never delays, changes or fails that answer and never
    /// draws on a retry budget or a breaker.
    func shadowIfSampled(_ request: ChatRequest, legacy response: ChatResponse, latency: Duration, routing: RoutingHint)
    {
        let sample = random.withLock { Double.random(in: 0..<1, using: &$0) }
        guard controller.shouldShadow(sample: sample) else { return }
        submitShadow(request, legacy: response, latency: latency, routing: routing)
    }

    /// A legacy stream during the shadow phase: when sampled, its answer is kept as it streams
    /// and, once it ended well, the relay is asked the same request (not streamed).
    func shadowIfSampled(_ request: ChatRequest, stream: StreamRecorder, routing: RoutingHint) {
        let sample = random.withLock { Double.random(in: 0..<1, using: &$0) }
        guard controller.shouldShadow(sample: sample) else { return }
        stream.shadow { [self] response, latency in
            submitShadow(request, legacy: response, latency: latency, routing: routing)
        }
    }

    private func submitShadow(
        _ request: ChatRequest, legacy response: ChatResponse, latency: Duration, routing: RoutingHint
    ) {
        let legacyAnswer = shadowAnswer(response, request: request, latency: latency)
        var unstreamed = request
        unstreamed.stream = nil
        unstreamed.streamOptions = nil
        let shadowRequest = unstreamed
        let relay = self.relay
        let clock = self.clock
        let requestID = routing.context.requestID
        let context = CallContext(requestID: requestID.map { "\($0)-shadow" }, logger: routing.context.logger)
        controller.submitShadow(legacy: legacyAnswer, requestID: requestID) { [self] in
            let start = clock.now
            do {
                let answer = try await relay.complete(shadowRequest, context: context)
                return shadowAnswer(answer, request: shadowRequest, latency: start.duration(to: clock.now))
            } catch {
                let failure = FailureClassifier().outcome(of: error)
                return ShadowAnswer(
                    status: failure.httpStatus, succeeded: false, failure: failure.failureClass,
                    latency: start.duration(to: clock.now))
            }
        }
    }

    /// A successful answer in the comparison's terms: usage, cost at the policy's prices,
    /// `finish_reason`, tool calls and the text (as canonical JSON when the caller asked for a
    /// structured answer and the text is JSON).
    func shadowAnswer(_ response: ChatResponse, request: ChatRequest, latency: Duration) -> ShadowAnswer {
        let (usage, cost) = caller.billing(of: response, request: request)
        let message = response.choices.first?.message
        let calls = message?.toolCalls ?? []
        let text = response.text ?? ""
        let structured = request.responseFormat.map { $0.type == "json_object" || $0.type == "json_schema" } ?? false
        return ShadowAnswer(
            status: 200, succeeded: true, latency: latency, inputTokens: usage?.promptTokens ?? 0,
            outputTokens: usage?.completionTokens ?? 0, cost: cost, finishReason: response.choices.first?.finishReason,
            toolNames: calls.map { $0.function?.name ?? "" },
            toolArgumentsAreJSON: calls.allSatisfy { Self.canonicalJSON($0.function?.arguments ?? "") != nil },
            text: text, canonicalJSON: structured ? Self.canonicalJSON(text) : nil)
    }

    /// The text as JSON with sorted keys, or `nil` when it is not JSON.
    static func canonicalJSON(_ text: String) -> String? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
