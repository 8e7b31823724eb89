public import Canary

/// An error that knows its ``Canary/FailureClass`` (and, for rate limits, when to try again).
///
/// Upstream clients throw errors conforming to this protocol so that the resilience layer and
/// the router never have to guess; ``outcome`` is the failure as every layer above reads it.
public protocol ClassifiedFailure: Error {
    /// The class of the failure.
    var failureClass: FailureClass { get }
    /// The upstream's `Retry-After`, when it sent one.
    var retryAfter: RetryAfter? { get }
    /// Whether the upstream may have carried out the request (generated, and billed, an answer)
    /// although the call failed: a timeout after the request was sent, or an answer that
    /// arrived but could not be read. Repeating such a call on the same upstream may pay for
    /// the same answer again, so the retry layer does not, unless its policy says so.
    /// Default `false`: the upstream refused or never saw the request (a 5xx, a 429, a
    /// refused connection, a connect timeout).
    var upstreamMayHaveCompleted: Bool { get }
    /// The failure, decided: what retries, failover, the window and the server read.
    /// Default: the three properties above, labelled with the class's name.
    var outcome: CallFailure { get }
}

extension ClassifiedFailure {
    public var retryAfter: RetryAfter? { nil }
    public var upstreamMayHaveCompleted: Bool { false }
    public var outcome: CallFailure {
        CallFailure(failureClass, retryAfter: retryAfter, upstreamMayHaveCompleted: upstreamMayHaveCompleted)
    }
}
