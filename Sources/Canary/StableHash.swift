/// A 64-bit hash that is identical in every process, on every machine, forever.
///
/// Swift's `Hasher` is seeded randomly per process, so it cannot place a user
/// in the same bucket after a restart. This is FNV-1a 64 over the UTF-8 bytes,
/// finished with the MurmurHash3 `fmix64` avalanche step: FNV-1a alone leaves
/// the low bits of similar keys (`user-1`, `user-2`, …) correlated, and the
/// bucket is taken modulo 10,000, so the finaliser matters for an even split.
///
/// ```swift
/// StableHash.hash("checkout:user-42")  // the same value in every process
/// ```
public enum StableHash {
    /// FNV-1a 64 offset basis.
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// FNV-1a 64 prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// Feeds the UTF-8 bytes of `text` into an FNV-1a state.
    @inlinable
    public static func fnv1a(_ text: String, state: UInt64 = offsetBasis) -> UInt64 {
        var text = text
        return text.withUTF8 { bytes in
            var h = state
            for byte in bytes {
                h ^= UInt64(byte)
                h &*= prime
            }
            return h
        }
    }

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    @inlinable
    public static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k &>> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k &>> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k &>> 33
        return k
    }

    /// The stable hash of `text`.
    @inlinable
    public static func hash(_ text: String) -> UInt64 {
        fmix64(fnv1a(text))
    }
}
