import Canary
import Foundation
import Resilience
import Tracing
import Upstream

/// Starts and ends the router's attempt spans (see ``RouterTracing``).
///
/// Inert when tracing is off: `tracer` is `nil` whenever the configured (or bootstrapped) tracer
/// is the `NoOpTracer`, so that every method returns at its first line and no attribute, string
/// or span is made.
struct AttemptTracer: Sendable {
    let tracer: (any Tracer)?
    let recordContent: Bool

    init(_ configuration: RouterTracing) {
        let tracer = configuration.tracer ?? InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
        self.recordContent = configuration.recordContent
    }

    var isOn: Bool { tracer != nil }

    /// What one attempt is, for its span.
    struct Attempt {
        var path: TrafficPath
        var provider: any ChatProvider
        var request: ChatRequest
        var number: Int
        var failover: Bool
        var hedge: Bool
        var retryWait: Duration?
    }

    /// Starts an attempt's span, a child of the current context; `nil` when tracing is off.
    func start(_ attempt: @autoclosure () -> Attempt) -> (any Span)? {
        guard let tracer else { return nil }
        let attempt = attempt()
        let span = tracer.startSpan(
            "chat \(attempt.request.model)", context: InstrumentationContext.current ?? .topLevel, ofKind: .client)
        span.updateAttributes { attributes in
            attributes[GenAIAttribute.operationName] = "chat"
            attributes[GenAIAttribute.providerName] = Self.providerName(attempt.provider.kind)
            attributes[GenAIAttribute.requestModel] = attempt.request.model
            attributes[ShepherdAttribute.path] = attempt.path.rawValue
            attributes[ShepherdAttribute.upstream] = attempt.provider.name
            attributes[ShepherdAttribute.attempt] = attempt.number
            attributes[ShepherdAttribute.failover] = attempt.failover
            attributes[ShepherdAttribute.hedge] = attempt.hedge
            if let wait = attempt.retryWait {
                attributes[ShepherdAttribute.retryWaitMilliseconds] = Self.milliseconds(wait)
            }
            if recordContent, let json = Self.json(attempt.request.messages) {
                attributes[GenAIAttribute.inputMessages] = json
            }
        }
        return span
    }

    /// A path's breaker refused the call: an attempt span of no duration that says so.
    func rejected(path: TrafficPath, provider: any ChatProvider, model: String, label: String, failover: Bool) {
        guard let tracer else { return }
        let span = tracer.startSpan(
            "chat \(model)", context: InstrumentationContext.current ?? .topLevel, ofKind: .client)
        span.updateAttributes { attributes in
            attributes[GenAIAttribute.operationName] = "chat"
            attributes[GenAIAttribute.providerName] = Self.providerName(provider.kind)
            attributes[GenAIAttribute.requestModel] = model
            attributes[ShepherdAttribute.path] = path.rawValue
            attributes[ShepherdAttribute.upstream] = provider.name
            attributes[ShepherdAttribute.failover] = failover
            attributes[ShepherdAttribute.breakerRejected] = true
            attributes[GenAIAttribute.errorType] = label
        }
        span.setStatus(SpanStatus(code: .error, message: label))
        span.end()
    }

    /// Ends a successful completion's span with the answer's model, usage and cost.
    static func succeeded(
        _ span: (any Span)?, response: ChatResponse, usage: Usage?, cost: Double, recordContent: Bool
    ) {
        guard let span else { return }
        span.updateAttributes { attributes in
            let model = response.metadata?.upstreamModel ?? response.model
            if !model.isEmpty { attributes[GenAIAttribute.responseModel] = model }
            if let usage {
                attributes[GenAIAttribute.inputTokens] = usage.promptTokens
                attributes[GenAIAttribute.outputTokens] = usage.completionTokens
            }
            attributes[ShepherdAttribute.costUSD] = cost
            if recordContent, let json = json(response.choices.map(\.message)) {
                attributes[GenAIAttribute.outputMessages] = json
            }
        }
        span.end()
    }

    /// Ends a stream attempt's span when the stream ends, with what it carried.
    static func streamEnded(
        _ span: (any Span)?, model: String?, usage: Usage?, cost: Double, timeToFirstChunk: Duration?
    ) {
        guard let span else { return }
        span.updateAttributes { attributes in
            if let model, !model.isEmpty { attributes[GenAIAttribute.responseModel] = model }
            if let usage {
                attributes[GenAIAttribute.inputTokens] = usage.promptTokens
                attributes[GenAIAttribute.outputTokens] = usage.completionTokens
            }
            attributes[ShepherdAttribute.costUSD] = cost
            if let timeToFirstChunk { attributes[GenAIAttribute.timeToFirstChunk] = seconds(timeToFirstChunk) }
        }
        span.end()
    }

    /// Ends an attempt's span as failed, with the failure's class and a secret-free label
    /// (never the error's own text, which may quote an upstream's message).
    static func failed(_ span: (any Span)?, class failureClass: FailureClass, label: String) {
        guard let span else { return }
        span.attributes[GenAIAttribute.errorType] = failureClass.rawValue
        span.setStatus(SpanStatus(code: .error, message: label))
        span.end()
    }

    static func providerName(_ kind: ProviderKind) -> String {
        switch kind {
        case .anthropic: "anthropic"
        case .openAICompatible: "openai"
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        seconds(duration) * 1000
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func json(_ value: some Encodable) -> String? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
