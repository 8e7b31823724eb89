public import Canary

extension AnthropicProvider {
    /// How to reach Anthropic's Messages API. Every key has a default except the API key.
    ///
    /// ```swift
    /// let configuration = AnthropicProvider.Configuration(
    ///     name: "legacy", apiKey: .environment("ANTHROPIC_API_KEY"),
    ///     modelMap: ["claude-sonnet-4.5": "claude-sonnet-4-5"])
    /// ```
    ///
    /// Its description never shows the key or header values.
    public struct Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The name used in metadata, errors and metrics (`legacy`, `anthropic`).
        public var name: String
        /// The API root. Written as Anthropic's SDKs take it (`https://api.anthropic.com`) or with
        /// its version (`…/v1`): a root without `/v1` gets it appended. Default `https://api.anthropic.com/v1`.
        public var baseURL: String
        /// Sent as `x-api-key`. Secret.
        public var apiKey: Secret?
        /// The `anthropic-version` header. Default `2023-06-01`.
        public var anthropicVersion: String
        /// Values for the `anthropic-beta` header.
        public var betas: [String]
        /// Headers added to every request; values are treated as secrets.
        public var extraHeaders: [String: String]
        /// OpenAI-side model names to Anthropic model names; unmapped names are sent as they are.
        public var modelMap: [String: String]
        /// The `max_tokens` sent when the request sets no limit (Anthropic requires one). Default 4096.
        public var defaultMaxTokens: Int
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
        /// Prices for the cost in ``ResponseMetadata``. Default: ``PriceTable/defaults``.
        public var prices: PriceTable

        /// `https://api.anthropic.com` → `https://api.anthropic.com/v1`; a root already ending in `/v1` is kept.
        static func versioned(_ root: String) -> String {
            var root = root
            while root.hasSuffix("/") { root.removeLast() }
            return root.hasSuffix("/v1") ? root : root + "/v1"
        }

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            name: String = "anthropic", baseURL: String = "https://api.anthropic.com/v1", apiKey: Secret? = nil,
            anthropicVersion: String = "2023-06-01", betas: [String] = [], extraHeaders: [String: String] = [:],
            modelMap: [String: String] = [:], defaultMaxTokens: Int = 4096, timeout: Duration = .seconds(60),
            readIdleTimeout: Duration? = nil, connectTimeout: Duration = .seconds(3),
            maxConnectionsPerHost: Int = 8, tls: UpstreamTLS = UpstreamTLS(), proxy: UpstreamProxy? = nil,
            http2: Bool = false, idleConnectionTimeout: Duration = .seconds(60),
            maxResponseBytes: Int = 32 << 20, maxEventBytes: Int = 16 << 20, prices: PriceTable = .defaults
        ) {
            self.name = name
            self.baseURL = Self.versioned(baseURL)
            self.apiKey = apiKey
            self.anthropicVersion = anthropicVersion
            self.betas = betas
            self.extraHeaders = extraHeaders
            self.modelMap = modelMap
            self.defaultMaxTokens = defaultMaxTokens
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
            self.prices = prices
        }

        /// The Anthropic model to call for a requested model.
        public func upstreamModel(for model: String) -> String { modelMap[model] ?? model }

        public var description: String {
            "AnthropicProvider.Configuration(name: \(name), baseURL: \(baseURL), apiKey: "
                + (apiKey == nil ? "none" : "[REDACTED]") + ", anthropicVersion: \(anthropicVersion), "
                + "extraHeaders: \(extraHeaders.keys.sorted()), modelMap: \(modelMap), timeout: \(timeout), "
                + "readIdleTimeout: \(effectiveReadIdleTimeout), connectTimeout: \(connectTimeout), "
                + "maxConnectionsPerHost: \(maxConnectionsPerHost), proxy: \(proxy.map { "\($0)" } ?? "none"))"
        }

        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
