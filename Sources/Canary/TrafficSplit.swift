import Synchronization

/// Decides, request by request, whether a call goes to the legacy path or the relay.
///
/// The split is **sticky**: a routing key (a header, the OpenAI `user` field, a
/// session id) always lands in the same one of 10,000 buckets for a given
/// rollout, in every process and on every machine. It is **monotone**: a
/// request goes to the relay when `bucket < percent × 100`, so raising the
/// percentage only adds buckets, and a user who reached the relay at 5% stays
/// there at 7.5%. Requests without a key are split at random with the
/// injected generator.
///
/// The bucket is `StableHash(rolloutID + ":" + key) mod 10_000`; changing the
/// rollout id reshuffles everyone, which is what a new migration wants.
///
/// ```swift
/// let split = TrafficSplit(rolloutID: "checkout-to-relay")
/// split.path(forKey: "user-42", percent: 25)   // .relay or .legacy, the same every time
/// split.bucket(forKey: "user-42")              // 0..<10_000
/// ```
public struct TrafficSplit: Sendable {
    /// The number of buckets: percentages are honoured to 0.01 points.
    public static let bucketCount = 10_000

    /// The rollout this split belongs to; part of every key's hash.
    public let rolloutID: String
    /// The FNV state after `rolloutID + ":"`, so a decision hashes only the key.
    private let prefixState: UInt64

    /// Creates the split for one rollout.
    public init(rolloutID: String) {
        self.rolloutID = rolloutID
        self.prefixState = StableHash.fnv1a(":", state: StableHash.fnv1a(rolloutID))
    }

    /// The bucket of a routing key, in `0..<10_000`.
    @inlinable
    public func bucket(forKey key: String) -> Int {
        Int(StableHash.fmix64(StableHash.fnv1a(key, state: prefixStateValue)) % UInt64(Self.bucketCount))
    }

    @usableFromInline
    var prefixStateValue: UInt64 { prefixState }

    /// Whether a bucket is in the relay's share at `percent`.
    ///
    /// - Parameters:
    ///   - bucket: a bucket in `0..<10_000`.
    ///   - percent: the canary percentage in `0...100`.
    @inlinable
    public static func isRelay(bucket: Int, percent: Double) -> Bool {
        Double(bucket) < percent * 100
    }

    /// The path for a request with a routing key.
    @inlinable
    public func path(forKey key: String, percent: Double) -> TrafficPath {
        Self.isRelay(bucket: bucket(forKey: key), percent: percent) ? .relay : .legacy
    }

    /// The path for a request, keyed or not.
    ///
    /// - Parameters:
    ///   - key: the routing key, or `nil` to split at random.
    ///   - percent: the canary percentage in `0...100`.
    ///   - generator: the random source for unkeyed requests.
    public func path(
        forKey key: String?,
        percent: Double,
        using generator: inout some RandomNumberGenerator
    ) -> TrafficPath {
        if let key { return path(forKey: key, percent: percent) }
        let bucket = Int.random(in: 0..<Self.bucketCount, using: &generator)
        return Self.isRelay(bucket: bucket, percent: percent) ? .relay : .legacy
    }
}
