/// When and how often a failed call is tried again on the same upstream.
///
/// Only classes that the failure table marks retryable (`timeout`,
/// `rateLimited`, `serverError`, `connection`) are retried; client errors, auth
/// errors, cancellations and unrecognised errors surface at once. A failure after
/// which the upstream may have carried out the call (a timeout once the request was
/// sent, an unreadable answer: `ClassifiedFailure.upstreamMayHaveCompleted`) is not
/// retried either unless ``retriesPossiblyCompletedCalls`` is set: an LLM answer that
/// takes longer than the timeout would otherwise be generated, and billed, once per
/// attempt, and the caller would wait attempts × timeout for nothing.
///
/// ```swift
/// var policy = RetryPolicy()            // 3 attempts, 500 ms · 2ⁿ ≤ 20 s, full jitter
/// policy.maxAttempts = 5
/// policy.backoff.jitter = .decorrelated
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// The number of attempts, counting the first call. Default 3; 1 disables retries.
    public var maxAttempts: Int
    /// The delay between attempts. Default ``Backoff/init(initial:multiplier:maximum:jitter:)``'s defaults.
    public var backoff: Backoff
    /// Whether an upstream's `Retry-After` replaces the back-off delay. Default `true`.
    ///
    /// The wait is used as given, seconds or HTTP date; when it would pass the
    /// total deadline the executor gives up at once with
    /// ``ResilienceError/Code/retryAfterExceedsDeadline(retryAfter:)``.
    public var honoursRetryAfter: Bool
    /// Whether a call the upstream may have carried out is tried again (see the type's
    /// discussion). Default `false`: a timed-out call that reached the upstream surfaces at once
    /// (and the router fails it over to the other path).
    public var retriesPossiblyCompletedCalls: Bool

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maxAttempts: attempts counting the first call (default 3).
    ///   - backoff: the delay between attempts.
    ///   - honoursRetryAfter: whether `Retry-After` replaces the back-off (default `true`).
    ///   - retriesPossiblyCompletedCalls: whether a call the upstream may have carried out is
    ///     tried again (default `false`).
    public init(
        maxAttempts: Int = 3, backoff: Backoff = Backoff(), honoursRetryAfter: Bool = true,
        retriesPossiblyCompletedCalls: Bool = false
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.honoursRetryAfter = honoursRetryAfter
        self.retriesPossiblyCompletedCalls = retriesPossiblyCompletedCalls
    }

    /// Checks that the policy can work.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when `maxAttempts < 1` or
    ///   the back-off is invalid.
    public func validate() throws(ResilienceError) {
        guard maxAttempts >= 1 else {
            throw .invalid("maxAttempts counts the first call and must be ≥ 1, got \(maxAttempts)")
        }
        try backoff.validate()
    }
}
