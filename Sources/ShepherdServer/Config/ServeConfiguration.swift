public import Canary
public import Resilience
import ShepherdConfig
public import Upstream

/// Everything `shepherd serve` needs: where to listen, the two upstreams, the policy, the state
/// file, and the server's own settings — from flags, the environment and `shepherd.yaml`.
///
/// Read through one swift-configuration `ConfigReader` (see ``init(reader:environment:)`` for
/// every key): a flag beats the environment, the environment beats the file, the file beats the
/// default. Every key has an environment variable (`SHEPHERD_` and the key in upper snake case:
/// `legacy.timeout` is `SHEPHERD_LEGACY_TIMEOUT`); secrets belong there
/// (`SHEPHERD_LEGACY_API_KEY`, `SHEPHERD_RELAY_API_KEY`, `SHEPHERD_ADMIN_TOKEN`,
/// `SHEPHERD_CLIENT_KEYS`, comma-separated). They are held as ``Secret``s and never printed.
///
/// ```swift
/// let config = try ServeConfiguration.resolve(file: "shepherd.yaml", overrides: overrides,
///                                             environment: ProcessInfo.processInfo.environment)
/// ```
public struct ServeConfiguration: Sendable, CustomStringConvertible {
    /// One upstream path.
    public struct Upstream: Sendable, CustomStringConvertible {
        /// The API root as the provider's SDK takes it (`https://api.openai.com/v1`, `https://api.anthropic.com`).
        public var url: String
        /// The wire format.
        public var flavor: ProviderKind
        /// The key, when one is set.
        public var apiKey: Secret?
        /// The whole call's limit on this path (`timeout:`): a complete answer, head and body, or
        /// a stream's response head; retries on the path fit inside it (see
        /// ``ServeConfiguration/deadlines``). Default 60 s.
        public var timeout: Duration
        /// The longest silence between two reads of an answer (`readIdleTimeout:`), its own
        /// setting; `nil` (the default) leaves ``timeout`` as the only limit. A complete answer
        /// sends nothing until all of it is generated, so a value shorter than the longest
        /// answer fails long answers; it is meant to catch stalled streams sooner.
        public var readIdleTimeout: Duration? = nil
        /// The most connections kept open to the upstream (the HTTP client's per-host pool limit).
        /// Calls beyond it wait for a free connection, at most the connect timeout, then fail as
        /// `pool_exhausted` (503 when no path has room). Default 4096, the library's
        /// (`UpstreamConnection/defaultMaxConnectionsPerHost`, which says why).
        public var maxConnections: Int = UpstreamConnection.defaultMaxConnectionsPerHost
        /// Whether HTTP/2 may be negotiated with an HTTPS upstream (`http2:`). Default `false`:
        /// AsyncHTTPClient multiplexes every call to a host over one HTTP/2 connection and queues
        /// calls past its concurrent-stream limit (nginx: 128), so long streams would queue;
        /// over HTTP/1.1 each call has its own connection, up to ``maxConnections``.
        public var http2 = false

        /// How long a connection (TCP and TLS) may take before the attempt fails over. Default 3 s.
        public var connectTimeout: Duration = .seconds(3)
        /// What HTTPS connections trust and present (`caFile`, `systemRoots`, `certFile`,
        /// `keyFile`, `serverName`). Default: the system's roots, plus `SSL_CERT_FILE` when set.
        public var tls = UpstreamTLS()
        /// The outbound proxy: the `proxy:` key, else `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY`
        /// lists the host; `nil` connects directly.
        public var proxy: UpstreamProxy?

        public var description: String {
            var text =
                "\(flavor.rawValue) at \(url) (key: \(apiKey == nil ? "none" : "set"), "
                + "timeout \(DurationText.format(timeout)), "
                + (readIdleTimeout.map { "read idle \(DurationText.format($0)), " } ?? "")
                + "connect \(DurationText.format(connectTimeout)), connections ≤ \(maxConnections)"
                + (http2 ? ", HTTP/2 allowed" : "")
            if let caFile = tls.caFile {
                text += ", trusts \(caFile)" + (tls.systemRoots ? " and the system roots" : " only")
            }
            if let certFile = tls.certFile { text += ", client certificate \(certFile)" }
            if let serverName = tls.serverName { text += ", server name \(serverName)" }
            if let proxy { text += ", via proxy \(proxy)" }
            return text + ")"
        }
    }

    /// The HTTP server's settings.
    public var server: ServerConfiguration
    /// The legacy (baseline) upstream.
    public var legacy: Upstream
    /// The relay (canary) upstream.
    public var relay: Upstream
    /// The rollout policy file.
    public var policyFile: String
    /// The SQLite state file.
    public var stateFile: String
    /// The configuration file that was read, `nil` when none was (flags, environment and defaults only).
    public var configFile: String?
    /// How log lines are written (`logging.format`, `--log-format`). Default text.
    public var logFormat: LogFormat = .text
    /// The file's `tracing.recordContent` (prompts and answers on spans), `nil` when unset; see
    /// ``TracingSettings``.
    public var recordContent: Bool?

    /// The router's deadlines for these upstreams: the longer of the two `timeout`s bounds all
    /// the attempts on one path together (retries and back-off included), and no per-attempt
    /// timeout of its own cuts a call shorter than its path's `timeout` allows. A call that
    /// fails over is bounded by the relay's timeout plus legacy's.
    public var deadlines: Deadlines {
        // Both timeouts are positive (checked when read), so this cannot throw.
        (try? Deadlines(total: max(legacy.timeout, relay.timeout), perAttempt: nil)) ?? .standard
    }

    /// One line for the start-up log and `serve --check`, ending with the file that was read (if any).
    public var description: String {
        "listen \(server.host):\(server.port); legacy \(legacy); relay \(relay); policy \(policyFile); "
            + "state \(stateFile); \(server); logs \(logFormat.rawValue); "
            + (configFile.map { "configuration file \($0)" }
                ?? "no configuration file (flags, environment and defaults only)")
    }

    /// What the command line says, by configuration key: the keys of the file (`listen`,
    /// `legacy.url`, `relay.caFile`, `server.allowUnauthenticated`, `logging.format`, …), each
    /// value as text. A key left out, or given `nil`, leaves the environment's, the file's or
    /// the default value; a key that is not one of the file's stops start-up naming it.
    ///
    /// ```swift
    /// let flags: ServeConfiguration.Overrides = ["listen": "127.0.0.1:9100", "relay.proxy": "none"]
    /// ```
    public struct Overrides: Sendable, ExpressibleByDictionaryLiteral {
        /// The values given, by key.
        public var values: [String: String]

        /// The values that are not `nil`.
        public init(_ values: [String: String?] = [:]) {
            self.values = values.compactMapValues { $0 }
        }

        public init(dictionaryLiteral elements: (String, String?)...) {
            self.init(Dictionary(elements) { _, last in last })
        }
    }

    /// Every secret this configuration holds (upstream keys, the admin token, client keys), for
    /// a ``SecretRedactor`` in front of the logs.
    public var secrets: [Secret] {
        [legacy.apiKey, relay.apiKey, server.adminToken].compactMap { $0 } + server.clientKeys
    }
}
