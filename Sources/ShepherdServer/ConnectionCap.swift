import HummingbirdCore
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The most client connections the listener keeps open; past it, new connections wait in the
/// kernel's accept queue until one closes, and the moment is logged (once per crossing) instead
/// of requests hanging with nothing said.
///
/// Hummingbird calls it from the listener's channel, one event loop: no lock is needed.
struct ConnectionCap: AvailableConnectionsDelegate {
    let maxConnections: Int
    let logger: Logger
    var open = 0

    mutating func connectionOpened() {
        open += 1
        if open == maxConnections {
            logger.warning(
                "connection cap reached: \(maxConnections) client connections open; new connections wait until one closes (server.maxConnections; raise the open-file limit with it)",
                metadata: ["connections": "\(open)"])
        }
    }

    mutating func connectionClosed() {
        if open == maxConnections {
            logger.notice("below the connection cap again", metadata: ["connections": "\(open - 1)"])
        }
        open -= 1
    }

    func isAcceptingNewConnections() -> Bool { open < maxConnections }

    /// A cap that fits the process's open-file limit: every proxied call holds a client socket
    /// and an upstream socket, and the store, the logs and the listener need a few more.
    static func defaultMaximum() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 10_000 }
        let files = Int(clamping: limit.rlim_cur)
        return max(16, min(100_000, (files - 128) / 2))
    }
}
