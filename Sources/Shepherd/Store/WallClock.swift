import Canary
import Resilience

/// A clock on calendar time, for what must mean the same after a restart: the rollout's
/// stored state and its audit log.
///
/// `ContinuousClock` instants are meaningless in another process, so the ramp's
/// `stepStartedAt` and every event's time are taken from this clock in production
/// (virtual time, ``ManualClock``, in tests and the simulator). Sleeping is delegated
/// to `ContinuousClock`, so a wall-clock step (NTP) never stretches a sleep.
///
/// ```swift
/// let clock = WallClock()
/// let now = clock.now          // WallClock.Instant
/// now.unixSeconds              // 1_795_000_000.123
/// ```
public struct WallClock: Clock, Sendable {
    /// A point in calendar time: the duration since 1970-01-01T00:00:00Z.
    public struct Instant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
        /// Time since the Unix epoch.
        public var sinceEpoch: Duration

        /// Creates an instant.
        public init(sinceEpoch: Duration) {
            self.sinceEpoch = sinceEpoch
        }

        /// Creates an instant from Unix seconds.
        public init(unixSeconds: Double) {
            sinceEpoch = .milliseconds(Int64((unixSeconds * 1000).rounded()))
        }

        /// Seconds since the Unix epoch.
        public var unixSeconds: Double { inSeconds(sinceEpoch) }

        public func advanced(by duration: Duration) -> Instant { Instant(sinceEpoch: sinceEpoch + duration) }
        public func duration(to other: Instant) -> Duration { other.sinceEpoch - sinceEpoch }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }

        /// ISO 8601 in UTC to the millisecond: `2026-11-21T14:05:09.120Z`.
        public var description: String { iso8601(fractionDigits: 3...3) }
    }

    /// Creates the clock.
    public init() {}

    /// The current calendar time.
    public var now: Instant { Instant(sinceEpoch: systemTimeSinceEpoch()) }

    /// Millisecond resolution is all the rollout needs.
    public var minimumResolution: Duration { .milliseconds(1) }

    /// Sleeps until `deadline`, measuring the wait on `ContinuousClock`.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let wait = now.duration(to: deadline)
        guard wait > .zero else { return }
        try await ContinuousClock().sleep(for: wait, tolerance: tolerance)
    }
}
