#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall-clock time in seconds since the Unix epoch, read from the system.
///
/// Only `Retry-After` HTTP dates need the wall clock; it is injected wherever
/// it is read (`unixTime:` parameters) so that tests set it by hand.
@Sendable
public func systemUnixTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
