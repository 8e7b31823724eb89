import Synchronization

/// A random number generator that many tasks can share: the injected source of jitter.
///
/// Executors are shared across tasks, so the generator they draw jitter from
/// lives behind a `Mutex`. Wrap a `SeededGenerator` for reproducible tests and
/// simulations; the default is the system generator.
///
/// ```swift
/// let random = SharedRandomGenerator(SeededGenerator(seed: 42))
/// var copy = random   // a reference: draws advance the shared state
/// let roll = Double.random(in: 0..<1, using: &copy)
/// ```
public final class SharedRandomGenerator: RandomNumberGenerator, Sendable {
    private let state: Mutex<any RandomNumberGenerator & Sendable>

    /// Shares `generator`.
    public init(_ generator: some RandomNumberGenerator & Sendable) {
        state = Mutex(generator)
    }

    /// A generator backed by `SystemRandomNumberGenerator`.
    public static var system: SharedRandomGenerator { SharedRandomGenerator(SystemRandomNumberGenerator()) }

    /// Returns the next 64 random bits.
    public func next() -> UInt64 {
        state.withLock { generator in generator.next() }
    }
}
