/// What an operation knows about the attempt it is running, and how it declares a stream committed.
///
/// Streaming commit rule (gRPC A6): once the first byte of a response has
/// reached the caller, the call can no longer be retried, hedged or failed over
/// without the caller seeing a duplicate. The operation calls ``commit()`` just
/// before delivering that first byte; from then on the executor surfaces any
/// error as it is.
///
/// ```swift
/// let text = try await executor.execute { context in
///     let stream = try await client.stream(request)     // may be retried
///     var first = true
///     for try await chunk in stream {
///         if first { guard context.commit() else { throw CancellationError() }; first = false }
///         await caller.send(chunk)                        // never retried after this
///     }
///     return ()
/// }
/// ```
public struct AttemptContext: Sendable {
    /// The attempt's number within the call, 1 for the first call.
    public let attempt: Int
    /// The model this attempt calls (model chains), `nil` for a plain retry executor.
    public let model: String?
    /// The upstream this attempt calls (model chains), `nil` for a plain retry executor.
    public let upstream: String?
    /// Whether this attempt is a hedge started while an earlier attempt was still running.
    public let isHedge: Bool

    let call: CallState

    init(attempt: Int, model: String? = nil, upstream: String? = nil, isHedge: Bool = false, call: CallState) {
        self.attempt = attempt
        self.model = model
        self.upstream = upstream
        self.isHedge = isHedge
        self.call = call
    }

    /// Declares that this attempt delivered (or is about to deliver) its first byte to the caller.
    ///
    /// After this nothing is retried, hedged or failed over, and the per-attempt
    /// timeout stops applying. Calling it again is harmless.
    ///
    /// - Returns: `true` when this attempt holds the commit; `false` when a racing
    ///   (hedged) attempt committed first, in which case this attempt must deliver
    ///   nothing and should stop (it is being cancelled).
    @discardableResult
    public func commit() -> Bool {
        call.commit(attempt: attempt)
    }

    /// Whether this attempt has committed.
    public var isCommitted: Bool { call.committedAttempt == attempt }
}
