import Canary

/// Maps any error thrown by a wrapped operation to its ``Canary/FailureClass``.
///
/// This is the bridge between arbitrary errors and the one failure table
/// (`FailureClass`, defined in `Canary`). The order is:
///
/// 1. a `CancellationError` is `.cancelled`;
/// 2. an error conforming to ``ClassifiedFailure`` (upstream clients, ``ResilienceError``,
///    a decided ``CallFailure``) gives its own outcome;
/// 3. the optional custom rule, for errors of libraries that know nothing of Shepherd;
/// 4. anything else is `.other` (not retried, not failed over).
///
/// ```swift
/// let classifier = FailureClassifier { error in
///     (error as? MyTransportError).map { _ in .connection }
/// }
/// classifier.classify(CancellationError())   // .cancelled
/// classifier.classify(MyTransportError())    // .connection
/// ```
public struct FailureClassifier: Sendable {
    private let custom: (@Sendable (any Error) -> FailureClass?)?

    /// Creates a classifier.
    ///
    /// - Parameter custom: consulted for errors that are neither cancellations nor
    ///   `ClassifiedFailure`s; return `nil` to fall through to `.other`.
    public init(custom: (@Sendable (any Error) -> FailureClass?)? = nil) {
        self.custom = custom
    }

    /// The failure `error` stands for, decided: a cancellation is `.cancelled`, a
    /// `ClassifiedFailure` gives its own ``ClassifiedFailure/outcome``, else the custom rule's
    /// class or `.other`. The one place an error of any type becomes a ``CallFailure``.
    public func outcome(of error: any Error) -> CallFailure {
        if error is CancellationError { return CallFailure(.cancelled) }
        if let classified = error as? any ClassifiedFailure { return classified.outcome }
        return CallFailure(custom?(error) ?? .other)
    }

    /// The class of `error`.
    public func classify(_ error: any Error) -> FailureClass {
        outcome(of: error).failureClass
    }

    /// Whether the upstream may have carried out the call that failed with `error`
    /// (``ClassifiedFailure/upstreamMayHaveCompleted``); `false` for errors that do not say.
    public func upstreamMayHaveCompleted(_ error: any Error) -> Bool {
        outcome(of: error).upstreamMayHaveCompleted
    }

    /// The upstream's `Retry-After` carried by `error`, if any.
    public func retryAfter(of error: any Error) -> RetryAfter? {
        outcome(of: error).retryAfter
    }
}
