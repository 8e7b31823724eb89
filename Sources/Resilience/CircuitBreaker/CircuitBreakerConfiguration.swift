import Canary

/// How a circuit breaker judges an upstream (resilience4j and Polly v8 are the references).
///
/// The defaults suit an LLM upstream: judge the last 20 calls once 10 have
/// been seen, open at a 50 % failure rate, at 100 % calls slower than 30 s, or
/// at 5 failures in a row; stay open 5 s, doubling on each re-opening up to
/// 5 minutes; let 3 trial calls through when half-open.
///
/// ```swift
/// var configuration = CircuitBreakerConfiguration()
/// configuration.window = .time(.seconds(60), buckets: 12)
/// configuration.minimumCalls = 20
/// configuration.openDuration = .constant(.seconds(30))
/// let breaker = try CircuitBreaker(name: "deepseek", configuration: configuration)
/// ```
public struct CircuitBreakerConfiguration: Sendable {
    /// The sliding window the failure and slow-call rates are computed over.
    public enum Window: Sendable, Hashable {
        /// The last `n` calls.
        case count(Int)
        /// The calls of the last `duration`, kept in `buckets` equal buckets (the oldest is
        /// dropped whole, so the window is between `duration·(1-1/buckets)` and `duration` long).
        case time(Duration, buckets: Int = 10)
    }

    /// How long the breaker stays open, as a function of how many times in a row it has opened.
    public enum OpenDuration: Sendable {
        /// Always the same.
        case constant(Duration)
        /// `initial · multiplierⁿ⁻¹` for the n-th opening in a row, capped at `maximum`.
        case exponential(initial: Duration, multiplier: Double = 2, maximum: Duration)
        /// Any function of the opening count (1 for the first opening since the breaker last closed).
        case custom(@Sendable (Int) -> Duration)

        /// The open duration for the `opening`-th opening in a row (1-based).
        public func duration(forOpening opening: Int) -> Duration {
            switch self {
            case .constant(let duration):
                return duration
            case .exponential(let initial, let multiplier, let maximum):
                let backoff = Backoff(initial: initial, multiplier: multiplier, maximum: maximum, jitter: .none)
                return backoff.cappedDelay(forRetry: opening)
            case .custom(let function):
                return function(opening)
            }
        }
    }

    /// The window. Default `.count(20)`.
    public var window: Window
    /// Calls the window must hold before rates are judged. Default 10.
    public var minimumCalls: Int
    /// Opens when failures / calls ≥ this, in `(0, 1]`. Default 0.5.
    public var failureRateThreshold: Double
    /// A call at least this long is slow, whether it succeeded or not. Default 30 s.
    public var slowCallDuration: Duration
    /// Opens when slow calls / calls ≥ this, in `(0, 1]`. Default 1.0.
    public var slowCallRateThreshold: Double
    /// Opens after this many failures in a row, whatever the window says; `nil` to turn off. Default 5.
    public var consecutiveFailureThreshold: Int?
    /// Trial calls let through when half-open; the breaker decides once all have finished. Default 3.
    public var halfOpenTrialCalls: Int
    /// How long the breaker stays open. Default `.exponential(initial: 5 s, multiplier: 2, maximum: 300 s)`.
    public var openDuration: OpenDuration
    /// The failure classes that count as failures; others (by default client errors and
    /// cancellations) are ignored: neither success nor failure. Default: the classes that
    /// count against a path in the failure table.
    public var recordedClasses: Set<FailureClass>
    /// Whether `Retry-After` is obeyed: a rate limit (429) carrying it holds the breaker open
    /// until then at once; any other failure carrying it keeps a breaker its failures tripped open
    /// at least until then (a stray 503 with `Retry-After` does not shut the path by itself).
    /// Default `true`.
    public var holdsOpenOnRetryAfter: Bool

    /// Creates a configuration; every parameter has the documented default.
    public init(
        window: Window = .count(20),
        minimumCalls: Int = 10,
        failureRateThreshold: Double = 0.5,
        slowCallDuration: Duration = .seconds(30),
        slowCallRateThreshold: Double = 1.0,
        consecutiveFailureThreshold: Int? = 5,
        halfOpenTrialCalls: Int = 3,
        openDuration: OpenDuration = .exponential(initial: .seconds(5), multiplier: 2, maximum: .seconds(300)),
        recordedClasses: Set<FailureClass> = Set(FailureClass.pathFailures),
        holdsOpenOnRetryAfter: Bool = true
    ) {
        self.window = window
        self.minimumCalls = minimumCalls
        self.failureRateThreshold = failureRateThreshold
        self.slowCallDuration = slowCallDuration
        self.slowCallRateThreshold = slowCallRateThreshold
        self.consecutiveFailureThreshold = consecutiveFailureThreshold
        self.halfOpenTrialCalls = halfOpenTrialCalls
        self.openDuration = openDuration
        self.recordedClasses = recordedClasses
        self.holdsOpenOnRetryAfter = holdsOpenOnRetryAfter
    }

    /// Checks that the configuration can work.
    ///
    /// - Throws: ``ResilienceError/Code/invalidConfiguration(_:)`` naming the first problem.
    public func validate() throws(ResilienceError) {
        switch window {
        case .count(let size):
            guard size >= 1 else { throw .invalid("count window size must be ≥ 1, got \(size)") }
            guard minimumCalls <= size else {
                throw .invalid(
                    "minimumCalls (\(minimumCalls)) exceeds the count window (\(size)): the breaker could never judge")
            }
        case .time(let duration, let buckets):
            guard duration > .zero else { throw .invalid("time window must be positive, got \(duration)") }
            guard buckets >= 1, wholeNanoseconds(duration) / Int64(buckets) > 0 else {
                throw .invalid("time window needs ≥ 1 bucket of ≥ 1 ns, got \(buckets) over \(duration)")
            }
        }
        guard minimumCalls >= 1 else { throw .invalid("minimumCalls must be ≥ 1, got \(minimumCalls)") }
        guard failureRateThreshold > 0, failureRateThreshold <= 1 else {
            throw .invalid("failureRateThreshold must be in (0, 1], got \(failureRateThreshold)")
        }
        guard slowCallRateThreshold > 0, slowCallRateThreshold <= 1 else {
            throw .invalid("slowCallRateThreshold must be in (0, 1], got \(slowCallRateThreshold)")
        }
        guard slowCallDuration > .zero else {
            throw .invalid("slowCallDuration must be positive, got \(slowCallDuration)")
        }
        if let threshold = consecutiveFailureThreshold, threshold < 1 {
            throw .invalid("consecutiveFailureThreshold must be ≥ 1 or nil, got \(threshold)")
        }
        guard halfOpenTrialCalls >= 1 else {
            throw .invalid("halfOpenTrialCalls must be ≥ 1, got \(halfOpenTrialCalls)")
        }
        switch openDuration {
        case .constant(let duration):
            guard duration > .zero else { throw .invalid("open duration must be positive, got \(duration)") }
        case .exponential(let initial, let multiplier, let maximum):
            do {
                try Backoff(initial: initial, multiplier: multiplier, maximum: maximum, jitter: .none).validate()
            } catch {
                throw .invalid("open duration: \(error.description)")
            }
        case .custom:
            break
        }
    }
}
