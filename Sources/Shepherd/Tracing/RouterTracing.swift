public import Tracing

/// How ``MigrationRouter`` traces its calls with swift-distributed-tracing.
///
/// Every attempt on a path is a client span (`chat gpt-4.1`) with OpenTelemetry's GenAI
/// attributes (``GenAIAttribute``) and Shepherd's (``ShepherdAttribute``): the path, the attempt's
/// number, whether it answers a failover, whether it is a hedge, whether the breaker refused it,
/// the back-off waited before it, tokens, cost and, for a stream, the time to its first chunk.
/// Each is a child of the span current when the router was called (an application's own, or
/// the proxy's server span), and the upstream request carries the attempt's context in its
/// `traceparent` (AsyncHTTPClient injects it).
///
/// With no tracer bootstrapped (`InstrumentationSystem`'s `NoOpTracer`) the router starts no
/// span and builds no attribute: tracing off costs one branch per attempt.
///
/// ```swift
/// InstrumentationSystem.bootstrap(myTracer)                 // the application's choice, once
/// let router = try await MigrationRouter(..., configuration: .init(policy: policy))  // traces with it
/// ```
public struct RouterTracing: Sendable {
    /// The tracer; `nil` (the default) takes `InstrumentationSystem.tracer` when the router is created.
    public var tracer: (any Tracer)?
    /// Records the prompt and the answer (`gen_ai.input.messages`, `gen_ai.output.messages`) on
    /// attempt spans. Default `false`: text a user typed is personal data, and a trace backend
    /// is rarely a place cleared to hold it. API keys are never recorded either way.
    public var recordContent: Bool

    /// Creates a configuration; each parameter sets the property of the same name.
    public init(tracer: (any Tracer)? = nil, recordContent: Bool = false) {
        self.tracer = tracer
        self.recordContent = recordContent
    }
}
