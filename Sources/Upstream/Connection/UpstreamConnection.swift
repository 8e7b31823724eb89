/// How a provider reaches its upstream over HTTP: timeouts, TLS, proxy, pool and body limits,
/// the settings both flavours share. Every setting has a default.
///
/// A provider's configuration holds one and reads through to it, so
/// `configuration.timeout = .seconds(30)` sets ``timeout`` here:
///
/// ```swift
/// let relay = OpenAICompatibleProvider.Configuration(
///     name: "relay", baseURL: "https://relay.example.com/v1",
///     connection: UpstreamConnection(timeout: .seconds(30), maxConnectionsPerHost: 512))
/// ```
public struct UpstreamConnection: Sendable {
    /// The per-request timeout: the whole answer for `complete` (head and body: a long answer
    /// is allowed all of it), the response head for `stream`. Default 60 s.
    public var timeout: Duration
    /// The longest silence allowed between two reads of an answer, its own setting; `nil`
    /// (the default) uses ``timeout``, so that nothing but ``timeout`` bounds a complete call.
    ///
    /// A complete (not streamed) answer sends nothing until the upstream has generated all of
    /// it, so a silence limit shorter than the longest answer fails long answers: set one
    /// only to find a stalled stream sooner than ``timeout``. It applies to every call of the
    /// provider's HTTP client.
    public var readIdleTimeout: Duration?
    /// How long to wait for a connection (TCP, and the TLS handshake). Default 3 s. A
    /// connection that cannot be made (refused, a certificate not trusted, a host name that
    /// does not resolve) fails at once; this bounds one that hangs.
    public var connectTimeout: Duration
    /// The connection pool's soft limit of concurrent HTTP/1 connections per host. Calls beyond
    /// it wait for a free connection, at most ``connectTimeout``, then fail as `pool_exhausted`.
    /// Default ``defaultMaxConnectionsPerHost`` (4096): an LLM stream holds its connection for
    /// its whole answer (1–60 s), so thousands are in flight at once; connections are opened
    /// only as calls need them. An upstream that limits connections per client needs less.
    public var maxConnectionsPerHost: Int
    /// What HTTPS connections trust and present. Default: the system's trust roots.
    public var tls: UpstreamTLS
    /// The outbound HTTP proxy, if any. Default none: ``UpstreamProxy/fromEnvironment(_:for:)``
    /// reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` for callers that want them, as `shepherd serve` does.
    public var proxy: UpstreamProxy?
    /// Whether HTTP/2 may be negotiated (ALPN) with an HTTPS upstream. Default `false`:
    /// AsyncHTTPClient keeps one HTTP/2 connection per host and queues every call past that
    /// connection's concurrent-stream limit (commonly 100–128) instead of opening another,
    /// so long streams would wait behind each other; over HTTP/1.1 each call has its own
    /// connection, up to ``maxConnectionsPerHost``.
    public var http2: Bool
    /// How long an idle pooled connection is kept. Default 60 s.
    public var idleConnectionTimeout: Duration
    /// The largest complete answer read into memory. Default 32 MiB.
    public var maxResponseBytes: Int
    /// The largest single server-sent event buffered. Default 16 MiB.
    public var maxEventBytes: Int

    /// The default of ``maxConnectionsPerHost``, for the library and `shepherd serve` alike.
    public static let defaultMaxConnectionsPerHost = 4096

    /// Creates settings; each parameter sets the property of the same name.
    public init(
        timeout: Duration = .seconds(60), readIdleTimeout: Duration? = nil, connectTimeout: Duration = .seconds(3),
        maxConnectionsPerHost: Int = defaultMaxConnectionsPerHost, tls: UpstreamTLS = UpstreamTLS(),
        proxy: UpstreamProxy? = nil,
        http2: Bool = false, idleConnectionTimeout: Duration = .seconds(60), maxResponseBytes: Int = 32 << 20,
        maxEventBytes: Int = 16 << 20
    ) {
        self.timeout = timeout
        self.readIdleTimeout = readIdleTimeout
        self.connectTimeout = connectTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.tls = tls
        self.proxy = proxy
        self.http2 = http2
        self.idleConnectionTimeout = idleConnectionTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxEventBytes = maxEventBytes
    }

    /// The silence limit in force: ``readIdleTimeout``, else ``timeout``.
    public var effectiveReadIdleTimeout: Duration { readIdleTimeout ?? timeout }

    /// The settings a description shows (never a secret: the proxy describes itself redacted).
    var summary: String {
        "timeout: \(timeout), readIdleTimeout: \(effectiveReadIdleTimeout), connectTimeout: \(connectTimeout), "
            + "maxConnectionsPerHost: \(maxConnectionsPerHost), proxy: \(proxy.map { "\($0)" } ?? "none")"
    }
}

/// A provider configuration that holds an ``UpstreamConnection`` and reads through to it:
/// `configuration.timeout` is `configuration.connection.timeout`.
@dynamicMemberLookup
public protocol UpstreamConnectionSettings {
    /// Timeouts, TLS, proxy, pool and body limits.
    var connection: UpstreamConnection { get set }
}

extension UpstreamConnectionSettings {
    /// A connection setting, read and written through to ``connection``.
    public subscript<Value>(dynamicMember setting: WritableKeyPath<UpstreamConnection, Value>) -> Value {
        get { connection[keyPath: setting] }
        set { connection[keyPath: setting] = newValue }
    }

    /// A value derived from the connection settings (``UpstreamConnection/effectiveReadIdleTimeout``).
    public subscript<Value>(dynamicMember value: KeyPath<UpstreamConnection, Value>) -> Value {
        connection[keyPath: value]
    }
}

extension UpstreamConnectionSettings where Self: CustomStringConvertible {
    /// The ``description``, which shows no secret.
    public var debugDescription: String { description }
    /// Only the ``description``: `dump()` and debuggers show no secret either.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
