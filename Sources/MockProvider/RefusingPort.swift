#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP port that refuses every connection: bound, never listened on, and held for as
/// long as this value is open, so that no other server (another test's) can be given it.
///
/// The upstream that is simply not there: a closed port taken from a server that just stopped
/// can be handed to the next server that binds port 0 on a busy machine; this one cannot.
///
/// ```swift
/// let refusing = try RefusingPort()
/// defer { refusing.close() }
/// let url = "http://127.0.0.1:\(refusing.port)/v1"   // connect: ECONNREFUSED
/// ```
public struct RefusingPort: Sendable {
    /// The port.
    public let port: Int
    private let descriptor: Int32

    /// Binds a free loopback port without listening on it.
    ///
    /// - Throws: ``Failure`` when no socket could be bound.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            closeSocket(descriptor)
            throw Failure()
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Releases the port.
    public func close() {
        closeSocket(descriptor)
    }

    /// No loopback port could be bound.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "could not bind a loopback port" }
    }
}

/// The C `close`, out of reach of ``RefusingPort/close()``'s name.
private func closeSocket(_ descriptor: Int32) {
    _ = close(descriptor)
}
