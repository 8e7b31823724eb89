public import Canary

extension OpenAICompatibleProvider {
    /// How to reach an OpenAI-compatible upstream. Every key has a default except the base URL.
    ///
    /// ```swift
    /// var configuration = OpenAICompatibleProvider.Configuration(
    ///     name: "relay", baseURL: "https://relay.example.com/v1", apiKey: .environment("RELAY_API_KEY"))
    /// configuration.timeout = .seconds(30)
    /// configuration.maxConnectionsPerHost = 32
    /// ```
    ///
    /// Its description lists header names but never the key or header values.
    public struct Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The name used in metadata, errors and metrics (`relay`, `openai`, `legacy`).
        public var name: String
        /// The API root including its version, e.g. `https://api.openai.com/v1`.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …`; `nil` sends no authorization. Secret.
        public var apiKey: Secret?
        /// Headers added to every request (`OpenAI-Organization`, a gateway's routing headers…).
        /// Their values are treated as secrets too: never logged or described.
        public var extraHeaders: [String: String]
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

        /// The silence limit in force: ``readIdleTimeout``, else ``timeout``.
        public var effectiveReadIdleTimeout: Duration { readIdleTimeout ?? timeout }
        /// How long to wait for a connection (TCP, and the TLS handshake). Default 3 s. A
        /// connection that cannot be made (refused, a certificate not trusted, a host name that
        /// does not resolve) fails at once; this bounds one that hangs.
        public var connectTimeout: Duration
        /// What HTTPS connections trust and present. Default: the system's trust roots.
        public var tls: UpstreamTLS
        /// The outbound HTTP proxy, if any. Default none: ``UpstreamProxy/fromEnvironment(_:for:)``
        /// reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` for callers that want them, as `shepherd serve` does.
        public var proxy: UpstreamProxy?
        /// The connection pool's soft limit of concurrent HTTP/1 connections per host. Default 8.
        public var maxConnectionsPerHost: Int
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
        /// Whether streams always ask for `stream_options.include_usage`, so that streamed
        /// answers can be costed (their last chunk then carries usage and no choices). Default `true`.
        public var requestStreamUsage: Bool
        /// Prices for the cost in ``ResponseMetadata``. Default: ``PriceTable/defaults``.
        public var prices: PriceTable

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            name: String = "openai", baseURL: String, apiKey: Secret? = nil, extraHeaders: [String: String] = [:],
            timeout: Duration = .seconds(60), readIdleTimeout: Duration? = nil,
            connectTimeout: Duration = .seconds(3), maxConnectionsPerHost: Int = 8, tls: UpstreamTLS = UpstreamTLS(),
            proxy: UpstreamProxy? = nil, http2: Bool = false,
            idleConnectionTimeout: Duration = .seconds(60), maxResponseBytes: Int = 32 << 20,
            maxEventBytes: Int = 16 << 20, requestStreamUsage: Bool = true, prices: PriceTable = .defaults
        ) {
            self.name = name
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.extraHeaders = extraHeaders
            self.timeout = timeout
            self.readIdleTimeout = readIdleTimeout
            self.connectTimeout = connectTimeout
            self.tls = tls
            self.proxy = proxy
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.http2 = http2
            self.idleConnectionTimeout = idleConnectionTimeout
            self.maxResponseBytes = maxResponseBytes
            self.maxEventBytes = maxEventBytes
            self.requestStreamUsage = requestStreamUsage
            self.prices = prices
        }

        public var description: String {
            "OpenAICompatibleProvider.Configuration(name: \(name), baseURL: \(baseURL), apiKey: "
                + (apiKey == nil ? "none" : "[REDACTED]") + ", extraHeaders: \(extraHeaders.keys.sorted()), "
                + "timeout: \(timeout), readIdleTimeout: \(effectiveReadIdleTimeout), connectTimeout: \(connectTimeout), "
                + "maxConnectionsPerHost: \(maxConnectionsPerHost), proxy: \(proxy.map { "\($0)" } ?? "none"))"
        }

        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
