public import Canary
import ShepherdConfig
import Foundation
public import Resilience
public import Upstream

/// Everything `shepherd serve` needs: where to listen, the two upstreams, the policy, the state
/// file, and the server's own settings — from `shepherd.yaml`, flags and the environment.
///
/// Precedence: a flag beats the file, the file beats the default. Secrets come from the
/// environment (`SHEPHERD_LEGACY_API_KEY`, `SHEPHERD_RELAY_API_KEY`, `SHEPHERD_ADMIN_TOKEN`,
/// `SHEPHERD_CLIENT_KEYS`, comma-separated) or, discouraged, from the file; they are held as
/// ``Secret``s and never printed.
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
        /// `pool_exhausted` (503 when no path has room). Default 4096: an LLM stream holds its
        /// connection for its whole answer (1–60 s), so thousands are in flight at once;
        /// connections are opened only as calls need them. An upstream that limits connections
        /// per client needs less.
        public var maxConnections: Int = Upstream.defaultMaxConnections
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

        /// The default of ``maxConnections``.
        public static let defaultMaxConnections = 4096

        public var description: String {
            var text =
                "\(flavor.rawValue) at \(url) (key: \(apiKey == nil ? "none" : "set"), "
                + "timeout \(DurationText.format(timeout)), "
                + (readIdleTimeout.map { "read idle \(DurationText.format($0)), " } ?? "")
                + "connect \(DurationText.format(connectTimeout)), connections ≤ \(maxConnections)"
                + (http2 ? ", HTTP/2 allowed" : "")
            if let caFile = tls.caFile { text += ", trusts \(caFile)" + (tls.systemRoots ? " and the system roots" : " only") }
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
    /// The configuration file that was read, `nil` when none was (flags and defaults only).
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
        "listen \(server.host):\(server.port); legacy \(legacy); relay \(relay); policy \(policyFile); state \(stateFile); \(server); logs \(logFormat.rawValue); "
            + (configFile.map { "configuration file \($0)" } ?? "no configuration file (flags and defaults only)")
    }

    /// What the command line says; `nil` leaves the file's (or the default) value.
    public struct Overrides: Sendable {
        public var listen: String?
        public var legacyURL: String?
        public var legacyFlavor: ProviderKind?
        public var relayURL: String?
        public var relayFlavor: ProviderKind?
        public var policyFile: String?
        public var stateFile: String?
        public var allowUnauthenticated: Bool?
        public var rollbackFlagFile: String?
        /// `--log-format`.
        public var logFormat: LogFormat?
        /// TLS and proxy flags per path (`--relay-ca-file` …), keyed `legacy` / `relay`.
        public var connection: [String: ConnectionOverrides] = [:]

        /// The `--PATH-ca-file`, `--PATH-cert-file`, `--PATH-key-file`, `--PATH-server-name` and
        /// `--PATH-proxy` flags of one path.
        public struct ConnectionOverrides: Sendable {
            public var caFile: String?
            public var certFile: String?
            public var keyFile: String?
            public var serverName: String?
            public var proxy: String?

            public init(
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil,
                proxy: String? = nil
            ) {
                self.caFile = caFile
                self.certFile = certFile
                self.keyFile = keyFile
                self.serverName = serverName
                self.proxy = proxy
            }
        }

        public init(
            listen: String? = nil, legacyURL: String? = nil, legacyFlavor: ProviderKind? = nil, relayURL: String? = nil,
            relayFlavor: ProviderKind? = nil, policyFile: String? = nil, stateFile: String? = nil,
            allowUnauthenticated: Bool? = nil, rollbackFlagFile: String? = nil
        ) {
            self.listen = listen
            self.legacyURL = legacyURL
            self.legacyFlavor = legacyFlavor
            self.relayURL = relayURL
            self.relayFlavor = relayFlavor
            self.policyFile = policyFile
            self.stateFile = stateFile
            self.allowUnauthenticated = allowUnauthenticated
            self.rollbackFlagFile = rollbackFlagFile
        }
    }

    /// Every secret this configuration holds (upstream keys, the admin token, client keys), for
    /// a ``SecretRedactor`` in front of the logs.
    public var secrets: [String] {
        [legacy.apiKey, relay.apiKey, server.adminToken].compactMap { $0?.value } + server.clientKeys.map(\.value)
    }

    /// Reads `file` (when given), applies `overrides` and the environment, and checks the result.
    ///
    /// - Throws: ``ConfigFileError`` naming the file (or `command line` / the variable), the key and
    ///   the reason: an unknown key, a bad URL, a missing upstream, a non-loopback address without
    ///   client keys, and so on.
    public static func resolve(
        file: String?, overrides: Overrides, environment: [String: String]
    ) throws(ConfigFileError) -> ServeConfiguration {
        var listen = "127.0.0.1:8080"
        var legacyURL: String?
        var legacyFlavor = ProviderKind.openAICompatible
        var relayURL: String?
        var relayFlavor = ProviderKind.openAICompatible
        var legacyKey: Secret?
        var relayKey: Secret?
        var legacyTimeout = Duration.seconds(60)
        var relayTimeout = Duration.seconds(60)
        var legacyReadIdle: Duration?
        var relayReadIdle: Duration?
        var legacyConnections = Upstream.defaultMaxConnections
        var relayConnections = Upstream.defaultMaxConnections
        var http2: [String: Bool] = [:]
        // Connection settings per path: connect timeout, TLS, and the proxy key as written.
        var connectTimeouts: [String: Duration] = [:]
        var tlsSettings: [String: UpstreamTLS] = [:]
        var proxyKeys: [String: String] = [:]
        var policyFile = "policies/default.yaml"
        var stateFile = "shepherd.sqlite"
        var server = ServerConfiguration()
        var source = "command line"
        var logFormat = LogFormat.text
        var recordContent: Bool?

        if let file {
            source = file
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigFileError(file: file, keyPath: "", reason: "cannot be read (\(error.localizedDescription))")
            }
            let root = try YAMLMap.document(text, file: file)
            try root.allowOnly(["listen", "policy", "state", "legacy", "relay", "server", "logging", "tracing"])
            if let map = try root.map("logging") {
                try map.allowOnly(["format"])
                if let format = try map.string("format") {
                    guard let known = LogFormat(rawValue: format) else {
                        throw map.error("format", "must be text or json (got \(format))")
                    }
                    logFormat = known
                }
            }
            if let map = try root.map("tracing") {
                try map.allowOnly(["recordContent"])
                recordContent = try map.bool("recordContent")
            }
            listen = try root.string("listen") ?? listen
            policyFile = try root.string("policy") ?? policyFile
            stateFile = try root.string("state") ?? stateFile
            for name in ["legacy", "relay"] {
                guard let map = try root.map(name) else { continue }
                try map.allowOnly([
                    "url", "flavor", "apiKey", "apiKeyEnv", "timeout", "readIdleTimeout", "maxConnections", "http2",
                    "connectTimeout", "caFile", "systemRoots", "certFile", "keyFile", "serverName", "proxy",
                ])
                if let connect = try map.duration("connectTimeout") {
                    guard connect > .zero else { throw map.error("connectTimeout", "must be longer than zero") }
                    connectTimeouts[name] = connect
                }
                tlsSettings[name] = UpstreamTLS(
                    caFile: try map.string("caFile"), systemRoots: try map.bool("systemRoots") ?? true,
                    certFile: try map.string("certFile"), keyFile: try map.string("keyFile"),
                    serverName: try map.string("serverName"))
                proxyKeys[name] = try map.string("proxy")
                http2[name] = try map.bool("http2")
                let url = try map.string("url")
                let flavor = try map.string("flavor").map { value throws(ConfigFileError) -> ProviderKind in
                    guard let kind = ProviderKind(rawValue: value) else {
                        throw map.error("flavor", "must be openai or anthropic (got \(value))")
                    }
                    return kind
                }
                var key = try map.string("apiKey").map(Secret.init)
                if let variable = try map.string("apiKeyEnv") {
                    guard let value = environment[variable], !value.isEmpty else {
                        throw map.error("apiKeyEnv", "names \(variable), which is not set")
                    }
                    key = Secret(value)
                }
                let timeout = try map.duration("timeout")
                if let timeout, timeout <= .zero { throw map.error("timeout", "must be longer than zero") }
                let readIdle = try map.duration("readIdleTimeout")
                if let readIdle, readIdle <= .zero { throw map.error("readIdleTimeout", "must be longer than zero") }
                let connections = try map.int("maxConnections")
                if let connections, connections <= 0 {
                    throw map.error("maxConnections", "must be positive (got \(connections))")
                }
                if name == "legacy" {
                    legacyURL = url ?? legacyURL
                    legacyFlavor = flavor ?? legacyFlavor
                    legacyKey = key ?? legacyKey
                    legacyTimeout = timeout ?? legacyTimeout
                    legacyReadIdle = readIdle ?? legacyReadIdle
                    legacyConnections = connections ?? legacyConnections
                } else {
                    relayURL = url ?? relayURL
                    relayFlavor = flavor ?? relayFlavor
                    relayKey = key ?? relayKey
                    relayTimeout = timeout ?? relayTimeout
                    relayReadIdle = readIdle ?? relayReadIdle
                    relayConnections = connections ?? relayConnections
                }
            }
            if let map = try root.map("server") {
                try map.allowOnly([
                    "maxBodyBytes", "rollbackFlagFile", "flagFileInterval", "shutdownGracePeriod", "allowUnauthenticated",
                    "idleTimeout", "maxConnections",
                ])
                if let idle = try map.duration("idleTimeout") {
                    guard idle > .zero else { throw map.error("idleTimeout", "must be longer than zero") }
                    server.idleTimeout = idle
                }
                if let cap = try map.int("maxConnections") {
                    guard cap > 0 else { throw map.error("maxConnections", "must be positive (got \(cap))") }
                    server.maxConnections = cap
                }
                if let bytes = try map.int("maxBodyBytes") {
                    guard bytes > 0 else { throw map.error("maxBodyBytes", "must be positive (got \(bytes))") }
                    server.maxBodyBytes = bytes
                }
                server.rollbackFlagFile = try map.string("rollbackFlagFile") ?? server.rollbackFlagFile
                if let interval = try map.duration("flagFileInterval") {
                    guard interval > .zero else { throw map.error("flagFileInterval", "must be longer than zero") }
                    server.flagFileInterval = interval
                }
                server.shutdownGracePeriod = try map.duration("shutdownGracePeriod") ?? server.shutdownGracePeriod
                server.allowUnauthenticated = try map.bool("allowUnauthenticated") ?? server.allowUnauthenticated
            }
        }

        // Flags win over the file.
        listen = overrides.listen ?? listen
        legacyURL = overrides.legacyURL ?? legacyURL
        legacyFlavor = overrides.legacyFlavor ?? legacyFlavor
        relayURL = overrides.relayURL ?? relayURL
        relayFlavor = overrides.relayFlavor ?? relayFlavor
        policyFile = overrides.policyFile ?? policyFile
        stateFile = overrides.stateFile ?? stateFile
        logFormat = overrides.logFormat ?? logFormat
        server.allowUnauthenticated = overrides.allowUnauthenticated ?? server.allowUnauthenticated
        server.rollbackFlagFile = overrides.rollbackFlagFile ?? server.rollbackFlagFile

        // The environment supplies secrets.
        if let value = environment["SHEPHERD_LEGACY_API_KEY"], !value.isEmpty { legacyKey = Secret(value) }
        if let value = environment["SHEPHERD_RELAY_API_KEY"], !value.isEmpty { relayKey = Secret(value) }
        if let value = environment["SHEPHERD_ADMIN_TOKEN"], !value.isEmpty { server.adminToken = Secret(value) }
        if let value = environment["SHEPHERD_CLIENT_KEYS"] {
            server.clientKeys = value.split(separator: ",").map { Secret(String($0).trimmingCharacters(in: .whitespaces)) }
                .filter { !$0.value.isEmpty }
        }

        var upstreamConnections: [String: (Duration, UpstreamTLS, UpstreamProxy?)] = [:]
        for (name, url) in [("legacy", legacyURL), ("relay", relayURL)] {
            upstreamConnections[name] = try connection(
                name, url: url, tls: tlsSettings[name] ?? UpstreamTLS(), proxyKey: proxyKeys[name],
                overrides: overrides.connection[name], connectTimeout: connectTimeouts[name], environment: environment,
                source: source)
        }

        let (host, port) = try parseListen(listen, source: source)
        server.host = host
        server.port = port
        guard let legacyURL else {
            throw ConfigFileError(file: source, keyPath: "legacy.url", reason: "is required (or --legacy-url)")
        }
        guard let relayURL else {
            throw ConfigFileError(file: source, keyPath: "relay.url", reason: "is required (or --relay-url)")
        }
        try checkURL(legacyURL, source: source, key: "legacy.url")
        try checkURL(relayURL, source: source, key: "relay.url")
        if !server.isLoopback, server.clientKeys.isEmpty, !server.allowUnauthenticated {
            throw ConfigFileError(
                file: source, keyPath: "listen",
                reason: "\(host) is not a loopback address and no client keys are set (SHEPHERD_CLIENT_KEYS): "
                    + "anyone who can reach it could spend your keys; set client keys or pass --allow-unauthenticated")
        }
        var legacy = Upstream(
            url: legacyURL, flavor: legacyFlavor, apiKey: legacyKey, timeout: legacyTimeout,
            readIdleTimeout: legacyReadIdle, maxConnections: legacyConnections)
        var relay = Upstream(
            url: relayURL, flavor: relayFlavor, apiKey: relayKey, timeout: relayTimeout,
            readIdleTimeout: relayReadIdle, maxConnections: relayConnections)
        legacy.http2 = http2["legacy"] ?? false
        relay.http2 = http2["relay"] ?? false
        if let (connect, tls, proxy) = upstreamConnections["legacy"] {
            (legacy.connectTimeout, legacy.tls, legacy.proxy) = (connect, tls, proxy)
        }
        if let (connect, tls, proxy) = upstreamConnections["relay"] {
            (relay.connectTimeout, relay.tls, relay.proxy) = (connect, tls, proxy)
        }
        return ServeConfiguration(
            server: server, legacy: legacy, relay: relay, policyFile: policyFile, stateFile: stateFile,
            configFile: file, logFormat: logFormat, recordContent: recordContent)
    }

    /// One path's connect timeout, TLS settings (flags over the file, `SSL_CERT_FILE` as the
    /// default CA bundle) and proxy (`proxy:` or its flag, else the environment; `none` for
    /// none), checked now: a file that is missing or unreadable stops start-up naming its key.
    static func connection(
        _ name: String, url: String?, tls fileTLS: UpstreamTLS, proxyKey: String?, overrides: Overrides.ConnectionOverrides?,
        connectTimeout: Duration?, environment: [String: String], source: String
    ) throws(ConfigFileError) -> (Duration, UpstreamTLS, UpstreamProxy?) {
        var tls = fileTLS
        tls.caFile = overrides?.caFile ?? tls.caFile
        tls.certFile = overrides?.certFile ?? tls.certFile
        tls.keyFile = overrides?.keyFile ?? tls.keyFile
        tls.serverName = overrides?.serverName ?? tls.serverName
        var caSource = source
        if tls.caFile == nil, let bundle = environment["SSL_CERT_FILE"], !bundle.isEmpty {
            // As curl and OpenSSL-based SDKs read it: a CA bundle the process trusts.
            tls.caFile = bundle
            caSource = "SSL_CERT_FILE"
        }
        do {
            try tls.validate(keyPrefix: name)
        } catch {
            throw ConfigFileError(
                file: error.key.hasSuffix(".caFile") ? caSource : source, keyPath: error.key, reason: error.reason)
        }
        var proxy: UpstreamProxy?
        if let written = overrides?.proxy ?? proxyKey {
            if written != "none", !written.isEmpty {
                do {
                    proxy = try UpstreamProxy(url: written)
                } catch {
                    throw ConfigFileError(file: source, keyPath: "\(name).proxy", reason: error.reason)
                }
            }
        } else if let url {
            do {
                proxy = try UpstreamProxy.fromEnvironment(environment, for: url)
            } catch {
                throw ConfigFileError(file: error.key, keyPath: "", reason: error.reason)
            }
        }
        return (connectTimeout ?? .seconds(3), tls, proxy)
    }

    static func parseListen(_ text: String, source: String) throws(ConfigFileError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ConfigFileError(file: source, keyPath: "listen", reason: "must be HOST:PORT (got \(text))")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ConfigFileError(file: source, keyPath: "listen", reason: "must be HOST:PORT with a port 0…65535 (got \(text))")
        }
        return (host, port)
    }

    static func checkURL(_ text: String, source: String, key: String) throws(ConfigFileError) {
        guard let url = URL(string: text), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil
        else {
            throw ConfigFileError(file: source, keyPath: key, reason: "must be an http(s) URL such as https://api.openai.com/v1 (got \(text))")
        }
    }
}
