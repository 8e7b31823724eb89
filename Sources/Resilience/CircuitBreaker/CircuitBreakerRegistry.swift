import Synchronization

/// Identifies a circuit breaker: one per upstream and model.
public struct CircuitBreakerKey: Sendable, Hashable, CustomStringConvertible {
    /// The upstream, e.g. `"openai"`.
    public var upstream: String
    /// The model, e.g. `"gpt-4.1"`; `"*"` for a breaker covering the whole upstream.
    public var model: String

    /// Creates a key.
    public init(upstream: String, model: String = "*") {
        self.upstream = upstream
        self.model = model
    }

    public var description: String { "\(upstream)/\(model)" }
}

/// The circuit breakers of a process, one per upstream and model, created on first use.
///
/// ```swift
/// let breakers = CircuitBreakerRegistry(clock: ContinuousClock(), observer: { key, transition in
///     print("\(key): \(transition.from) → \(transition.to)")
/// })
/// let breaker = breakers.breaker(for: CircuitBreakerKey(upstream: "openai", model: "gpt-4.1"))
/// ```
public final class CircuitBreakerRegistry<C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private let configuration: @Sendable (CircuitBreakerKey) -> CircuitBreakerConfiguration
    private let observer: (@Sendable (CircuitBreakerKey, CircuitBreakerTransition<C.Instant>) -> Void)?
    private let breakers = Mutex<[CircuitBreakerKey: CircuitBreaker<C>]>([:])

    /// Creates a registry.
    ///
    /// - Parameters:
    ///   - clock: the clock every breaker reads.
    ///   - configuration: the configuration of each key's breaker (default: the documented defaults).
    ///     It must be valid; an invalid one traps when the breaker is first built.
    ///   - observer: receives every transition of every breaker, with its key.
    public init(
        clock: C,
        configuration: @escaping @Sendable (CircuitBreakerKey) -> CircuitBreakerConfiguration = { _ in .init() },
        observer: (@Sendable (CircuitBreakerKey, CircuitBreakerTransition<C.Instant>) -> Void)? = nil
    ) {
        self.clock = clock
        self.configuration = configuration
        self.observer = observer
    }

    /// The breaker of `key`.
    public func breaker(for key: CircuitBreakerKey) -> CircuitBreaker<C> {
        breakers.withLock { breakers in
            if let breaker = breakers[key] { return breaker }
            var forward: (@Sendable (CircuitBreakerTransition<C.Instant>) -> Void)?
            if let observer = self.observer {
                forward = { transition in observer(key, transition) }
            }
            do {
                let breaker = try CircuitBreaker(
                    name: key.description, configuration: configuration(key), clock: clock, observer: forward)
                breakers[key] = breaker
                return breaker
            } catch {
                preconditionFailure("invalid circuit breaker configuration for \(key): \(error)")
            }
        }
    }

    /// Every breaker created so far, by key.
    public var all: [CircuitBreakerKey: CircuitBreaker<C>] { breakers.withLock { $0 } }
}
