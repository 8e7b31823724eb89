/// A point in time as an offset from an origin that its owner fixes: ``ManualClock``'s zero, or
/// the reading a circuit breaker took of its clock when it was created.
///
/// ```swift
/// let tenSecondsIn = OffsetInstant(offset: .seconds(10))
/// ```
public struct OffsetInstant: InstantProtocol, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Time since the origin.
    public var offset: Duration

    /// Creates the instant `offset` after the origin.
    public init(offset: Duration) {
        self.offset = offset
    }

    public func advanced(by duration: Duration) -> OffsetInstant {
        OffsetInstant(offset: offset + duration)
    }

    public func duration(to other: OffsetInstant) -> Duration {
        other.offset - offset
    }

    public static func < (lhs: OffsetInstant, rhs: OffsetInstant) -> Bool {
        lhs.offset < rhs.offset
    }

    public var description: String { "t+\(offset)" }
}
