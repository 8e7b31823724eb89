import Canary
import Logging
import Resilience
import Tracing
import Upstream

/// Executes one call on one path and records it, for completions and streams alike.
///
/// Everything an attempt leaves behind is done here, once: its span, its outcome in the
/// ``HealthWindow`` and the metrics, its cost (the provider's figure, else the usage at the
/// policy's prices for the model that answered), its entry in the call's attempt log, and the
/// path's configuration problem. A failure is decided here, where the router sees it first: the
/// attempt throws the ``CallFailure`` every layer above reads, never the error again.
struct PathCaller<C: DeadlineClock>: Sendable where C.Duration == Duration {
    let legacy: any ChatProvider
    let relay: any ChatProvider
    let clock: C
    let window: HealthWindow<C>
    let metrics: RouterMetrics
    let prices: PriceTable
    let deadlines: Deadlines
    /// Attempt spans; inert when no tracer is bootstrapped.
    let tracing: AttemptTracer
    /// Each path's latest configuration problem (TLS, DNS, credentials), until it answers again.
    let problems: PathProblems

    func provider(for path: TrafficPath) -> any ChatProvider {
        path == .legacy ? legacy : relay
    }

    /// One completion attempt on `path`.
    func complete(
        on path: TrafficPath, _ request: ChatRequest, _ routing: RoutingHint, _ attempts: AttemptLog,
        _ context: AttemptContext
    ) async throws -> ChatResponse {
        let provider = provider(for: path)
        let span = startSpan(path, provider, request, attempts, context)
        defer { attempts.ended() }
        let start = clock.now
        do {
            let response = try await inSpan(span) { try await provider.complete(request, context: routing.context) }
            let end = clock.now
            let latency = start.duration(to: end)
            let (usage, cost) = billing(of: response, request: request)
            record(
                .success, path: path, model: request.model, latency: latency, at: end,
                inputTokens: usage?.promptTokens ?? 0, outputTokens: usage?.completionTokens ?? 0, cost: cost)
            attempts.append(RoutedAttempt(path: path, provider: provider.name, model: request.model, latency: latency))
            problems.clear(on: path)
            AttemptTracer.succeeded(
                span, response: response, usage: usage, cost: cost, recordContent: tracing.recordContent)
            return response
        } catch {
            let end = clock.now
            let latency = start.duration(to: end)
            let failure = decide(error, after: latency)
            AttemptTracer.failed(span, class: failure.failureClass, label: failure.label)
            record(.failure(failure.failureClass), path: path, model: request.model, latency: latency, at: end)
            logFailure(failure, path: path, provider: provider, model: request.model, latency: latency, attempts)
            throw failure
        }
    }

    /// Opens a stream on `path` and waits for its first chunk (the commit point).
    ///
    /// Only the awaits are in this frame, which every stream being opened holds; the rest is
    /// kept out of line, so the frame stays small (see `Benchmarks/async-frames.py`).
    func openStream(
        on path: TrafficPath, chosen: TrafficPath, _ request: ChatRequest, _ routing: RoutingHint,
        _ attempts: AttemptLog, _ context: AttemptContext
    ) async throws -> RoutedStream {
        let opening = beginStream(on: path, request, attempts, context)
        defer { attempts.ended() }
        do {
            let upstream = try await inSpan(opening.span) {
                try await opening.provider.stream(request, context: routing.context)
            }
            var iterator = opening.answered(by: upstream)
            let first = try await iterator.next()
            return opened(
                opening, chosen: chosen, model: request.model, attempts, metadata: upstream.metadata, first: first,
                iterator: iterator)
        } catch {
            throw failed(opening, error, model: request.model, attempts)
        }
    }

    /// A stream attempt under way: where, since when, and what records it.
    struct StreamOpening {
        let path: TrafficPath
        let provider: any ChatProvider
        let span: (any Span)?
        let start: C.Instant
        let recorder: StreamRecorder

        /// The upstream answered with a stream: its model on the span and the recorder.
        func answered(by upstream: ChatChunkStream) -> ChatChunkStream.FrameIterator {
            if let span { span.attributes[GenAIAttribute.responseModel] = upstream.metadata.upstreamModel }
            recorder.answered(by: upstream.metadata.upstreamModel)
            return upstream.frames()
        }
    }

    @inline(never)
    private func beginStream(
        on path: TrafficPath, _ request: ChatRequest, _ attempts: AttemptLog, _ context: AttemptContext
    ) -> StreamOpening {
        let provider = provider(for: path)
        let span = startSpan(path, provider, request, attempts, context)
        let start = clock.now
        let recorder = StreamRecorder(
            path: path, model: request.model, provider: provider.name, start: start, clock: clock, window: window,
            metrics: metrics, prices: prices, span: span)
        return StreamOpening(path: path, provider: provider, span: span, start: start, recorder: recorder)
    }

    /// The first chunk is in: the stream is the answer.
    @inline(never)
    private func opened(
        _ opening: StreamOpening, chosen: TrafficPath, model: String, _ attempts: AttemptLog,
        metadata: ResponseMetadata, first: StreamFrame?, iterator: sending ChatChunkStream.FrameIterator
    ) -> RoutedStream {
        opening.recorder.firstChunk()
        problems.clear(on: opening.path)
        attempts.append(
            RoutedAttempt(
                path: opening.path, provider: opening.provider.name, model: model,
                latency: opening.start.duration(to: clock.now)))
        return RoutedStream(
            path: opening.path, chosenPath: chosen, fellBack: chosen != opening.path, attempts: attempts.all,
            metadata: metadata, first: first, iterator: iterator, recorder: opening.recorder)
    }

    /// The stream failed before its first chunk: the failure, decided and recorded.
    @inline(never)
    private func failed(_ opening: StreamOpening, _ error: any Error, model: String, _ attempts: AttemptLog)
        -> CallFailure
    {
        let latency = opening.start.duration(to: clock.now)
        let failure = decide(error, after: latency)
        opening.recorder.fail(failure)
        logFailure(failure, path: opening.path, provider: opening.provider, model: model, latency: latency, attempts)
        return failure
    }

    /// A call a breaker refused without calling (`model` on `path`): to the caller and to the
    /// scorer a failed call of the path (the path is considered down), so the window records it;
    /// otherwise an open relay breaker would hide the relay's failures from the ramp, and the
    /// rollout would sit at its percentage with every call falling back.
    func recordRejection(_ failure: CallFailure, path: TrafficPath, model: String, attempts: AttemptLog, window: Bool) {
        let provider = provider(for: path)
        tracing.rejected(
            path: path, provider: provider, model: model, label: failure.label, failover: path != attempts.chosen)
        attempts.append(
            RoutedAttempt(path: path, provider: provider.name, model: model, failure: failure, latency: .zero))
        if window { record(.failure(failure.failureClass), path: path, model: model, latency: .zero, at: clock.now) }
    }

    /// What an answer used and cost: the provider's figure, else the usage at the policy's prices
    /// for the model that answered.
    func billing(of response: ChatResponse, request: ChatRequest) -> (usage: Usage?, cost: Double) {
        let usage = response.usage ?? response.metadata?.usage
        let cost = Billing.cost(
            of: usage, answeredBy: response.metadata?.upstreamModel ?? request.model, asked: request.model,
            providerCost: response.metadata?.cost, prices: prices)
        return (usage, cost)
    }

    /// The failure `error` stands for, decided once: an attempt the executor cancelled at its
    /// timeout (it then sees a cancellation) is the path's timeout, which counts against it.
    private func decide(_ error: any Error, after latency: Duration) -> CallFailure {
        let failure = FailureClassifier().outcome(of: error)
        let limits = [deadlines.perAttempt, deadlines.total].compactMap { $0 }
        guard failure.failureClass == .cancelled, let limit = limits.min(), latency >= limit else { return failure }
        return failure.reclassified(as: .timeout)
    }

    private func logFailure(
        _ failure: CallFailure, path: TrafficPath, provider: any ChatProvider, model: String, latency: Duration,
        _ attempts: AttemptLog
    ) {
        attempts.append(
            RoutedAttempt(path: path, provider: provider.name, model: model, failure: failure, latency: latency))
        problems.alarmIfMisconfigured(failure, path: path, provider: provider.name)
    }

    private func startSpan(
        _ path: TrafficPath, _ provider: any ChatProvider, _ request: ChatRequest, _ attempts: AttemptLog,
        _ context: AttemptContext
    ) -> (any Span)? {
        tracing.start(
            .init(
                path: path, provider: provider, request: request, number: context.attempt,
                failover: path != attempts.chosen, hedge: context.isHedge,
                retryWait: attempts.retryWait(before: context.attempt)))
    }

    /// Runs `body` with `span` as the current context, so that the upstream request (and any
    /// span made under it) is its child; as it is when tracing is off.
    private func inSpan<T>(_ span: (any Span)?, _ body: () async throws -> T) async throws -> T {
        guard let span else { return try await body() }
        return try await InstrumentationContext.$current.withValue(span.context) { try await body() }
    }

    func record(
        _ status: CallOutcome.Status, path: TrafficPath, model: String, latency: Duration, at end: C.Instant,
        inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0
    ) {
        window.record(
            CallOutcome(
                status, latency: latency, inputTokens: inputTokens, outputTokens: outputTokens, cost: cost,
                model: model),
            on: path, at: end)
        var outcome: FailureClass?
        if case .failure(let failureClass) = status { outcome = failureClass }
        metrics.request(path: path, model: model, outcome: outcome, latency: latency, ttft: nil)
        if case .success = status {
            metrics.usage(path: path, model: model, input: inputTokens, output: outputTokens, cost: cost)
        }
    }
}

/// The one cost rule of completions and streams.
enum Billing {
    /// The provider's figure, else the usage at `prices` for the model that answered (the model
    /// asked for when that one is not priced).
    static func cost(
        of usage: Usage?, answeredBy answered: String, asked: String, providerCost: Double? = nil, prices: PriceTable
    ) -> Double {
        providerCost
            ?? usage.flatMap { $0.cost(model: answered, prices: prices) ?? $0.cost(model: asked, prices: prices) } ?? 0
    }
}
