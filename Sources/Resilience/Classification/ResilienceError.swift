import Canary

/// An error raised by the resilience layer itself: it names what went wrong and what to do.
///
/// Errors thrown by the wrapped operation are rethrown as they are whenever the
/// layer has nothing to add (a client error, an auth error, a failure after a
/// stream was committed, a cancellation). A `ResilienceError` is thrown only
/// when the layer made the decision: a deadline passed, an attempt timed out,
/// the retry budget or a circuit breaker said no, or every model of a chain
/// failed. The error it gave up on is kept in ``underlying``.
///
/// `ResilienceError` conforms to ``ClassifiedFailure``, so the router and the
/// health window classify it through the same table as upstream errors.
///
/// ```swift
/// do {
///     let answer = try await executor.execute { _ in try await client.complete(request) }
/// } catch let error as ResilienceError {
///     switch error.code {
///     case .circuitOpen(let retryAfter): print("try again in \(retryAfter ?? .zero)")
///     case .budgetExhausted: print("upstream is struggling, failing fast")
///     default: print(error.metricLabel)
///     }
/// }
/// ```
public struct ResilienceError: Error, Sendable, CustomStringConvertible {
    /// What the resilience layer decided.
    public enum Code: Sendable, Hashable {
        /// The total deadline passed (or the next wait would pass it) before an attempt succeeded.
        case deadlineExceeded
        /// One attempt ran past the per-attempt timeout; it may have been retried before this surfaced.
        case attemptTimedOut
        /// The upstream asked to wait `retryAfter`, which would pass the total deadline: given up at once.
        case retryAfterExceedsDeadline(retryAfter: Duration)
        /// The retry budget of the upstream is spent: retries stop so that an outage is not multiplied.
        case budgetExhausted
        /// The circuit breaker rejected the call; `retryAfter` says when it will let a call through
        /// again (`nil` when unknown: forced open, or all half-open trial calls in flight).
        case circuitOpen(retryAfter: Duration?)
        /// Every model of a fallback chain failed or was skipped; `tried` lists what happened, in order.
        case chainExhausted(tried: [AttemptRecord])
        /// A configuration that cannot work was rejected when the component was built.
        case invalidConfiguration(String)
    }

    /// What the resilience layer decided.
    public var code: Code
    /// The failure the layer gave up on, when there was one.
    public var underlying: (any Error)?
    /// The class of the underlying failure, as classified when the layer gave up.
    public var underlyingClass: FailureClass?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: what the layer decided.
    ///   - underlying: the failure it gave up on.
    ///   - underlyingClass: that failure's class.
    public init(_ code: Code, underlying: (any Error)? = nil, underlyingClass: FailureClass? = nil) {
        self.code = code
        self.underlying = underlying
        self.underlyingClass = underlyingClass
    }

    /// A short, label-safe name for metrics (`snake_case`, no values).
    public var metricLabel: String {
        switch code {
        case .deadlineExceeded: "deadline_exceeded"
        case .attemptTimedOut: "attempt_timed_out"
        case .retryAfterExceedsDeadline: "retry_after_exceeds_deadline"
        case .budgetExhausted: "budget_exhausted"
        case .circuitOpen: "circuit_open"
        case .chainExhausted: "chain_exhausted"
        case .invalidConfiguration: "invalid_configuration"
        }
    }

    public var description: String {
        let cause = underlying.map { " (last failure: \($0))" } ?? ""
        switch code {
        case .deadlineExceeded:
            return
                "deadline exceeded before an attempt succeeded\(cause); raise the total deadline or check the upstream"
        case .attemptTimedOut:
            return "attempt timed out; raise the per-attempt timeout or check the upstream's latency"
        case .retryAfterExceedsDeadline(let retryAfter):
            return "upstream asked to retry after \(retryAfter), which passes the deadline; gave up at once\(cause)"
        case .budgetExhausted:
            return "retry budget exhausted: the upstream is failing too often to retry\(cause); fail over or back off"
        case .circuitOpen(let retryAfter):
            let when = retryAfter.map { "try again in \($0)" } ?? "try again later"
            return "circuit breaker is open: call rejected without being made; \(when)"
        case .chainExhausted(let tried):
            let summary = tried.map(\.summary).joined(separator: ", ")
            return "every model of the chain failed [\(summary)]\(cause)"
        case .invalidConfiguration(let reason):
            return "invalid resilience configuration: \(reason)"
        }
    }
}

extension ResilienceError: ClassifiedFailure {
    /// The class of this error in the one failure table.
    ///
    /// Timeouts are `.timeout`; a Retry-After past the deadline is `.rateLimited`;
    /// an open breaker is `.serverError` (the upstream is considered down, so the
    /// router fails over); a spent budget or an exhausted chain carries the class of
    /// the failure it gave up on; a bad configuration is `.other`.
    public var failureClass: FailureClass {
        switch code {
        case .deadlineExceeded, .attemptTimedOut: .timeout
        case .retryAfterExceedsDeadline: .rateLimited
        case .circuitOpen: .serverError
        case .budgetExhausted, .chainExhausted: underlyingClass ?? .serverError
        case .invalidConfiguration: .other
        }
    }

    /// Whether the upstream may have carried out the call: `true` for an attempt cut by its
    /// timeout or the total deadline (the request had been sent, and the upstream may still be
    /// generating), else what the underlying failure says.
    public var upstreamMayHaveCompleted: Bool {
        switch code {
        case .deadlineExceeded, .attemptTimedOut: true
        default: underlying.map { FailureClassifier().outcome(of: $0).upstreamMayHaveCompleted } ?? false
        }
    }

    /// When to try again: the upstream's wait for ``Code/retryAfterExceedsDeadline(retryAfter:)``,
    /// the breaker's for ``Code/circuitOpen(retryAfter:)``.
    public var retryAfter: RetryAfter? {
        switch code {
        case .retryAfterExceedsDeadline(let wait): .delay(wait)
        case .circuitOpen(let wait): wait.map { .delay($0) }
        default: nil
        }
    }

    /// The decision as every layer above reads it, labelled ``metricLabel``: an open breaker
    /// and a spent budget are states that pass (``CallFailure/isUnavailable``).
    public var outcome: CallFailure {
        let passes: Bool
        switch code {
        case .circuitOpen, .budgetExhausted: passes = true
        default: passes = false
        }
        return CallFailure(
            failureClass, label: metricLabel, retryAfter: retryAfter,
            upstreamMayHaveCompleted: upstreamMayHaveCompleted, passes: passes)
    }
}

extension ResilienceError {
    static func invalid(_ reason: String) -> ResilienceError {
        ResilienceError(.invalidConfiguration(reason))
    }
}
