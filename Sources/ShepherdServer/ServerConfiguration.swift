public import Upstream

/// What `shepherd serve` listens on and whom it lets in, beside the router's own configuration.
///
/// Secrets (the admin token and the client keys) are held as ``Secret`` values, which never
/// print: a configuration can be logged whole.
public struct ServerConfiguration: Sendable, CustomStringConvertible {
    /// The address to bind. Default `127.0.0.1`.
    public var host: String
    /// The port to bind (0 picks a free one). Default 8080.
    public var port: Int
    /// Largest request body accepted; larger gets 413. Default 10 MiB.
    public var maxBodyBytes: Int
    /// The admin API's bearer token (`SHEPHERD_ADMIN_TOKEN`); `nil` turns the admin API off (404).
    public var adminToken: Secret?
    /// Keys clients must present (`Authorization: Bearer KEY`); empty lets any client in, which
    /// is allowed only on a loopback address or with ``allowUnauthenticated``.
    public var clientKeys: [Secret]
    /// Allow binding a non-loopback address without client keys.
    public var allowUnauthenticated: Bool
    /// A file whose presence engages the rollback switch (checked every ``flagFileInterval``).
    public var rollbackFlagFile: String?
    /// How often the flag file is checked. Default 1 s.
    public var flagFileInterval: Duration
    /// How long in-flight requests and streams may take to finish after SIGTERM. Default 30 s.
    public var shutdownGracePeriod: Duration
    /// How long a client connection may stay silent before it is closed: one that never finishes
    /// its request head (a slowloris), stops mid-body, or idles between keep-alive requests. A
    /// response being written (a long stream) is never cut by it. Default 30 s.
    public var idleTimeout: Duration
    /// The most client connections kept open; past it new ones wait for one to close, and the
    /// server logs that it reached the cap. Default: what the open-file limit allows, (limit − 128) / 2.
    public var maxConnections: Int

    /// Creates a configuration; the defaults are those above.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 10 << 20, adminToken: Secret? = nil,
        clientKeys: [Secret] = [], allowUnauthenticated: Bool = false, rollbackFlagFile: String? = nil,
        flagFileInterval: Duration = .seconds(1), shutdownGracePeriod: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(30), maxConnections: Int? = nil
    ) {
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections ?? ConnectionCap.defaultMaximum()
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.adminToken = adminToken
        self.clientKeys = clientKeys
        self.allowUnauthenticated = allowUnauthenticated
        self.rollbackFlagFile = rollbackFlagFile
        self.flagFileInterval = flagFileInterval
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// Whether the bind address is loopback (`127.0.0.0/8`, `::1`, `localhost`): an address, not
    /// a name that merely starts like one (`127.evil.example.com`).
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.first == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part) ?? 256) <= 255
        }
    }

    public var description: String {
        "ServerConfiguration(host: \(host), port: \(port), maxBodyBytes: \(maxBodyBytes), "
            + "adminAPI: \(adminToken == nil ? "off" : "on"), clientKeys: \(clientKeys.count), "
            + "allowUnauthenticated: \(allowUnauthenticated), rollbackFlagFile: \(rollbackFlagFile ?? "none"), "
            + "idleTimeout: \(idleTimeout), maxConnections: \(maxConnections))"
    }
}
