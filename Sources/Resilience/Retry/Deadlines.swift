/// A total deadline around a call and a timeout for each attempt inside it.
///
/// The order is the .NET standard resilience handler's: the total deadline is
/// outside everything (attempts, back-off sleeps, waits for `Retry-After`), the
/// per-attempt timeout bounds one try. An attempt is never given longer than
/// what remains of the total.
///
/// Once an attempt has committed (a stream's first byte reached the caller,
/// see ``AttemptContext/commit()``) the per-attempt timeout no longer applies:
/// it bounds the time to the first byte, not the length of a stream. The total
/// deadline still does.
///
/// ```swift
/// let deadlines = try Deadlines(total: .seconds(30), perAttempt: .seconds(10))
/// _ = try Deadlines(total: .seconds(5), perAttempt: .seconds(10))   // throws: cannot work
/// ```
public struct Deadlines: Sendable, Hashable {
    /// The bound on the whole call, `nil` for none. Default 120 s.
    public private(set) var total: Duration?
    /// The bound on one attempt (until it commits), `nil` for none. Default 60 s.
    public private(set) var perAttempt: Duration?

    /// Creates deadlines.
    ///
    /// - Parameters:
    ///   - total: the bound on the whole call (default 120 s), `nil` for none.
    ///   - perAttempt: the bound on one attempt (default 60 s), `nil` for none.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` when a bound is not
    ///   positive or the per-attempt timeout is longer than the total.
    public init(total: Duration? = .seconds(120), perAttempt: Duration? = .seconds(60)) throws(ResilienceError) {
        if let total, total <= .zero { throw .invalid("total deadline must be positive, got \(total)") }
        if let perAttempt, perAttempt <= .zero {
            throw .invalid("per-attempt timeout must be positive, got \(perAttempt)")
        }
        if let total, let perAttempt, perAttempt > total {
            throw .invalid(
                "per-attempt timeout (\(perAttempt)) is longer than the total deadline (\(total)): it could never fire")
        }
        self.init(checked: total, perAttempt: perAttempt)
    }

    /// Bounds known to be valid (the constants below): nothing to check, nothing to throw.
    private init(checked total: Duration?, perAttempt: Duration?) {
        self.total = total
        self.perAttempt = perAttempt
    }

    /// The defaults: 120 s in total, 60 s per attempt.
    public static let standard = Deadlines(checked: .seconds(120), perAttempt: .seconds(60))

    /// No deadline and no per-attempt timeout.
    public static let none = Deadlines(checked: nil, perAttempt: nil)
}
