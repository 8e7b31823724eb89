import Canary

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The wall-clock time since the Unix epoch, read from the system (`CLOCK_REALTIME`): the one
/// place Shepherd asks the system for calendar time (Shepherd's `WallClock` reads it here too).
package func systemTimeSinceEpoch() -> Duration {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
}

/// The wall-clock time in seconds since the Unix epoch, read from the system.
///
/// Only `Retry-After` HTTP dates need the wall clock; it is injected wherever
/// it is read (`unixTime:` parameters) so that tests set it by hand.
@Sendable
public func systemUnixTime() -> Double {
    inSeconds(systemTimeSinceEpoch())
}
