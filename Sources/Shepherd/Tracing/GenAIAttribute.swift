/// The span attribute names Shepherd's traces use.
///
/// The `gen_ai.*` names are OpenTelemetry's GenAI semantic conventions (semantic-conventions
/// 1.37, as swift-otel-semantic-conventions 1.44 generates them). They are written out here
/// rather than taken from that package because it offers them only behind its `Experimental`
/// trait, which asks for a pin to one minor version: a dozen constants are cheaper than that pin.
/// The `shepherd.*` names are Shepherd's own.
public enum GenAIAttribute {
    /// `chat` for a chat completion.
    public static let operationName = "gen_ai.operation.name"
    /// `openai` or `anthropic`: the wire format of the upstream called.
    public static let providerName = "gen_ai.provider.name"
    /// The model the call asked for.
    public static let requestModel = "gen_ai.request.model"
    /// The model that answered, as the upstream named it.
    public static let responseModel = "gen_ai.response.model"
    /// Prompt tokens.
    public static let inputTokens = "gen_ai.usage.input_tokens"
    /// Completion tokens.
    public static let outputTokens = "gen_ai.usage.output_tokens"
    /// Seconds from the request to a stream's first chunk.
    public static let timeToFirstChunk = "gen_ai.response.time_to_first_chunk"
    /// The prompt, as JSON: recorded only when the operator opts in (``RouterTracing/recordContent``).
    public static let inputMessages = "gen_ai.input.messages"
    /// The answer, as JSON: recorded only when the operator opts in.
    public static let outputMessages = "gen_ai.output.messages"
    /// A failure's class (`serverError`, `timeout`, `circuit_open`, …), OpenTelemetry's `error.type`.
    public static let errorType = "error.type"
}

/// Shepherd's own span attribute names.
public enum ShepherdAttribute {
    /// `relay` or `legacy`: the path an attempt went to, or the path that answered the call.
    public static let path = "shepherd.path"
    /// The path the split chose for the call.
    public static let chosenPath = "shepherd.chosen_path"
    /// Whether the call was answered by the other path than the one chosen (a failover).
    public static let fallback = "shepherd.fallback"
    /// The rollout's effective percentage when the call was routed.
    public static let rolloutPercent = "shepherd.rollout.percent"
    /// The upstream's configured name.
    public static let upstream = "shepherd.upstream"
    /// An attempt's number on its path, 1 for the first call.
    public static let attempt = "shepherd.attempt"
    /// Whether an attempt runs on the other path than the split chose (it answers a failover).
    public static let failover = "shepherd.failover"
    /// Whether an attempt is a hedge started while an earlier one was still running.
    public static let hedge = "shepherd.hedge"
    /// Whether the path's circuit breaker refused the attempt without calling.
    public static let breakerRejected = "shepherd.breaker.rejected"
    /// Milliseconds waited (back-off, `Retry-After`) since the previous attempt ended.
    public static let retryWaitMilliseconds = "shepherd.retry.wait_ms"
    /// The call's cost in US dollars, from the price table or the upstream.
    public static let costUSD = "shepherd.cost_usd"
    /// How many attempts a call made.
    public static let attempts = "shepherd.attempts"
}
