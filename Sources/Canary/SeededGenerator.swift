/// A small, fast, seedable random number generator (SplitMix64).
///
/// Every component of Shepherd that draws random numbers (the split for
/// requests without a routing key, jitter, the simulator, the mock provider)
/// takes a generator, so that tests and simulations are reproducible: the same
/// seed gives the same sequence on every machine and every run.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let roll = Double.random(in: 0..<1, using: &rng)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}
