import Canary
import Shepherd
import Tracing

/// Writes a proxied call's outcome onto its server span (the one `TracingMiddleware` opened):
/// the path that answered and the one chosen, whether it fell back, the rollout's percentage,
/// the models, tokens and cost. `tracer` is `nil` when tracing is off, and then nothing is done.
struct ServerSpan: Sendable {
    let tracer: (any Tracer)?

    /// The tracer of the process, `nil` when none is bootstrapped.
    static func current() -> ServerSpan {
        let tracer = InstrumentationSystem.tracer
        return ServerSpan(tracer: tracer is NoOpTracer ? nil : tracer)
    }

    var isOn: Bool { tracer != nil }

    private var span: (any Span)? {
        guard let tracer, let context = InstrumentationContext.current else { return nil }
        return tracer.activeSpan(identifiedBy: context)
    }

    /// Before routing: what was asked and at which percentage.
    func routing(model: String, percent: @autoclosure () -> Double) {
        guard let span else { return }
        let percent = percent()
        span.updateAttributes { attributes in
            attributes[GenAIAttribute.operationName] = "chat"
            attributes[GenAIAttribute.requestModel] = model
            attributes[ShepherdAttribute.rolloutPercent] = percent
        }
    }

    /// A completion's outcome.
    func answered(_ routed: RoutedResponse, model: String) {
        guard let span else { return }
        let usage = routed.response.usage ?? routed.response.metadata?.usage
        span.updateAttributes { attributes in
            attributes[ShepherdAttribute.path] = routed.path.rawValue
            attributes[ShepherdAttribute.chosenPath] = routed.chosenPath.rawValue
            attributes[ShepherdAttribute.fallback] = routed.fellBack
            attributes[ShepherdAttribute.attempts] = routed.attempts.count
            attributes[GenAIAttribute.responseModel] = model
            if let usage {
                attributes[GenAIAttribute.inputTokens] = usage.promptTokens
                attributes[GenAIAttribute.outputTokens] = usage.completionTokens
            }
            if let cost = routed.response.metadata?.cost { attributes[ShepherdAttribute.costUSD] = cost }
        }
    }

    /// A stream's routing, known once its first chunk is in (tokens are on the attempt span).
    func streaming(_ stream: RoutedStream) {
        guard let span else { return }
        span.updateAttributes { attributes in
            attributes[ShepherdAttribute.path] = stream.path.rawValue
            attributes[ShepherdAttribute.chosenPath] = stream.chosenPath.rawValue
            attributes[ShepherdAttribute.fallback] = stream.fellBack
            attributes[ShepherdAttribute.attempts] = stream.attempts.count
            attributes[GenAIAttribute.responseModel] = stream.metadata.upstreamModel
        }
    }

    /// A call no path answered: the failure's class (the status is set by `TracingMiddleware`).
    func failed(_ error: any Error) {
        guard let span else { return }
        if let routerError = error as? RouterError {
            span.updateAttributes { attributes in
                attributes[GenAIAttribute.errorType] = routerError.failureClass.rawValue
                attributes[ShepherdAttribute.attempts] = routerError.attempts.count
            }
        }
    }
}
