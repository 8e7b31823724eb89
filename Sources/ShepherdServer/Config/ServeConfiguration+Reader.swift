public import Canary
public import Configuration
import Foundation
import ShepherdConfig
public import Upstream

extension ServeConfiguration {
    /// Reads the configuration from the command line (`overrides`), the environment and `file`
    /// (when given), in that order of precedence, and checks it. See ``init(reader:environment:)``
    /// for every key and its variable.
    ///
    /// - Throws: ``ConfigFileError`` naming where the value came from (the file, the variable or
    ///   `command line`), the key and the reason: an unknown key in the file, a bad URL, a missing
    ///   upstream, a non-loopback address without client keys, and so on.
    public static func resolve(
        file: String?, overrides: Overrides, environment: [String: String]
    ) throws(ConfigFileError) -> ServeConfiguration {
        let sources = try ServeSources(file: file, overrides: overrides, environment: environment)
        var configuration = try ServeConfiguration(
            keys: KeyReader(reader: sources.reader, origins: sources.origins), environment: environment)
        configuration.configFile = file
        return configuration
    }

    /// Reads the configuration from `reader` and checks it.
    ///
    /// ``resolve(file:overrides:environment:)`` builds the reader `shepherd serve` uses: flags,
    /// then the environment (`SHEPHERD_` and the key in upper snake case, shown below), then
    /// `shepherd.yaml`. Durations are written `500ms`, `30s`, `2m`, `1h30m`; booleans `true`/`false`
    /// (`yes`/`no`, `on`/`off`, `1`/`0`). A value that cannot be read is an error, never the default.
    ///
    /// - Configuration keys:
    ///   - `listen` (string, optional, default: "127.0.0.1:8080"): HOST:PORT to bind; a non-loopback
    ///     host needs client keys or `server.allowUnauthenticated`. `SHEPHERD_LISTEN`, `--listen`.
    ///   - `policy` (string, optional, default: "policies/default.yaml"): the rollout policy file.
    ///     `SHEPHERD_POLICY`, `--policy`.
    ///   - `state` (string, optional, default: "shepherd.sqlite"): the SQLite state file, or a
    ///     `postgres://` URL shared by several replicas. `SHEPHERD_STATE`, `--state`.
    ///   - `logging.format` (string, optional, default: "text"): `text` or `json` log lines.
    ///     `SHEPHERD_LOGGING_FORMAT`, `--log-format`.
    ///   - `tracing.recordContent` (bool, optional): prompts and answers on spans (see
    ///     ``TracingSettings``). `SHEPHERD_TRACING_RECORD_CONTENT`.
    ///   - `legacy.url`, `relay.url` (string, required): each path's API root as its SDK takes it.
    ///     `SHEPHERD_LEGACY_URL`, `--legacy-url` (`relay` likewise, as for every `legacy.` key).
    ///   - `legacy.flavor` (string, optional, default: "openai"): `openai` or `anthropic`.
    ///     `SHEPHERD_LEGACY_FLAVOR`, `--legacy-flavor`.
    ///   - `legacy.apiKey` (string, secret, optional): the upstream's key. `SHEPHERD_LEGACY_API_KEY`;
    ///     in the file only if it must be.
    ///   - `legacy.apiKeyEnv` (string, optional): another variable to read the key from, when
    ///     `SHEPHERD_LEGACY_API_KEY` is unset; it must be set. `SHEPHERD_LEGACY_API_KEY_ENV`.
    ///   - `legacy.timeout` (duration, optional, default: 60s): the whole call's limit on the path,
    ///     retries included (see ``deadlines``). `SHEPHERD_LEGACY_TIMEOUT`.
    ///   - `legacy.readIdleTimeout` (duration, optional): the longest silence between two reads.
    ///     `SHEPHERD_LEGACY_READ_IDLE_TIMEOUT`.
    ///   - `legacy.maxConnections` (int, optional, default: 4096): the upstream's connection pool.
    ///     `SHEPHERD_LEGACY_MAX_CONNECTIONS`.
    ///   - `legacy.http2` (bool, optional, default: false): allow HTTP/2 to an HTTPS upstream.
    ///     `SHEPHERD_LEGACY_HTTP2`.
    ///   - `legacy.connectTimeout` (duration, optional, default: 3s): a connect (TCP and TLS) that
    ///     hangs fails over after it. `SHEPHERD_LEGACY_CONNECT_TIMEOUT`.
    ///   - `legacy.caFile` (string, optional, default: `SSL_CERT_FILE` when set): PEM CAs trusted
    ///     besides the system's. `SHEPHERD_LEGACY_CA_FILE`, `--legacy-ca-file`.
    ///   - `legacy.systemRoots` (bool, optional, default: true): `false` trusts `caFile` alone.
    ///     `SHEPHERD_LEGACY_SYSTEM_ROOTS`.
    ///   - `legacy.certFile`, `legacy.keyFile` (string, optional): a client certificate and its key
    ///     (mutual TLS). `SHEPHERD_LEGACY_CERT_FILE`, `--legacy-cert-file`; `…_KEY_FILE`, `--legacy-key-file`.
    ///   - `legacy.serverName` (string, optional): the name the certificate is checked against.
    ///     `SHEPHERD_LEGACY_SERVER_NAME`, `--legacy-server-name`.
    ///   - `legacy.proxy` (string, optional, default: `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY`
    ///     lists the host): `http://[user:password@]host:port`, or `none`. `SHEPHERD_LEGACY_PROXY`,
    ///     `--legacy-proxy`.
    ///   - `server.maxBodyBytes` (int, optional, default: 10485760): larger requests get 413.
    ///     `SHEPHERD_SERVER_MAX_BODY_BYTES`.
    ///   - `server.rollbackFlagFile` (string, optional): while this file exists, all traffic goes to
    ///     legacy. `SHEPHERD_SERVER_ROLLBACK_FLAG_FILE`, `--rollback-flag-file`.
    ///   - `server.flagFileInterval` (duration, optional, default: 1s): how often it is checked.
    ///     `SHEPHERD_SERVER_FLAG_FILE_INTERVAL`.
    ///   - `server.shutdownGracePeriod` (duration, optional, default: 30s): how long requests in
    ///     flight may take to finish after SIGTERM. `SHEPHERD_SERVER_SHUTDOWN_GRACE_PERIOD`.
    ///   - `server.allowUnauthenticated` (bool, optional, default: false): allow a non-loopback
    ///     address without client keys. `SHEPHERD_SERVER_ALLOW_UNAUTHENTICATED`, `--allow-unauthenticated`.
    ///   - `server.idleTimeout` (duration, optional, default: 30s): a silent client connection is
    ///     closed after it. `SHEPHERD_SERVER_IDLE_TIMEOUT`.
    ///   - `server.maxConnections` (int, optional, default: (open-file limit − 128) / 2): client
    ///     connections kept open. `SHEPHERD_SERVER_MAX_CONNECTIONS`.
    ///   - `server.adminToken` (string, secret, environment only): turns the admin API on.
    ///     `SHEPHERD_ADMIN_TOKEN`.
    ///   - `server.clientKeys` (comma-separated strings, secret, environment only): the keys clients
    ///     must send. `SHEPHERD_CLIENT_KEYS`.
    ///
    /// `SHEPHERD_ROLLBACK` is read by ``RollbackSwitch`` itself: a value it cannot read engages the
    /// switch and says so.
    ///
    /// - Parameters:
    ///   - reader: the keys above.
    ///   - environment: the process environment, for `SSL_CERT_FILE`, `HTTPS_PROXY`, `HTTP_PROXY`,
    ///     `NO_PROXY` and the variable `apiKeyEnv` names.
    /// - Throws: ``ConfigFileError`` naming the key and the reason (its `file` is `configuration`:
    ///   this reader does not say which source answered; ``resolve(file:overrides:environment:)``
    ///   names it).
    public init(reader: ConfigReader, environment: [String: String] = [:]) throws(ConfigFileError) {
        try self.init(keys: KeyReader(reader: reader, origins: nil), environment: environment)
    }

    init(keys: KeyReader, environment: [String: String]) throws(ConfigFileError) {
        var server = ServerConfiguration()
        if let format = try keys.choice("logging.format", LogFormat.self, expected: "text or json") {
            logFormat = format
        }
        recordContent = try keys.bool("tracing.recordContent")
        policyFile = keys.string("policy") ?? "policies/default.yaml"
        stateFile = keys.string("state") ?? "shepherd.sqlite"
        server.idleTimeout = try keys.duration("server.idleTimeout") ?? server.idleTimeout
        server.maxConnections = try keys.positiveInt("server.maxConnections") ?? server.maxConnections
        server.maxBodyBytes = try keys.positiveInt("server.maxBodyBytes") ?? server.maxBodyBytes
        server.rollbackFlagFile = keys.string("server.rollbackFlagFile")
        server.flagFileInterval = try keys.duration("server.flagFileInterval") ?? server.flagFileInterval
        server.shutdownGracePeriod =
            try keys.duration("server.shutdownGracePeriod", allowZero: true) ?? server.shutdownGracePeriod
        server.allowUnauthenticated = try keys.bool("server.allowUnauthenticated") ?? false
        server.adminToken = keys.string("server.adminToken").map { Secret($0) }
        server.clientKeys = (keys.string("server.clientKeys") ?? "").split(separator: ",")
            .map { Secret($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }

        let listen = keys.string("listen") ?? "127.0.0.1:8080"
        (server.host, server.port) = try Self.parseListen(listen, keys: keys)
        legacy = try Upstream(keys: keys, path: "legacy", environment: environment)
        relay = try Upstream(keys: keys, path: "relay", environment: environment)
        if !server.isLoopback, server.clientKeys.isEmpty, !server.allowUnauthenticated {
            throw keys.error(
                "listen",
                "\(server.host) is not a loopback address and no client keys are set (SHEPHERD_CLIENT_KEYS): "
                    + "anyone who can reach it could spend your keys; set client keys or pass --allow-unauthenticated")
        }
        self.server = server
    }

    static func parseListen(_ text: String, keys: KeyReader) throws(ConfigFileError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw keys.error("listen", "must be HOST:PORT (got \(text))")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw keys.error("listen", "must be HOST:PORT with a port 0…65535 (got \(text))")
        }
        return (host, port)
    }
}

/// Reads ``ServeConfiguration``'s keys as text and parses them, so that a value that cannot be
/// read is an error naming its key and where it came from (a `ConfigReader`'s typed getters
/// would quietly return the default).
struct KeyReader {
    let reader: ConfigReader
    /// Which source answered each key; `nil` names every source `configuration`.
    let origins: ValueOrigins?

    /// A value as written, `nil` when no source sets it; a secret key's value is marked secret
    /// (an access logger, `CONFIG_ACCESS_LOG_FILE`, redacts it).
    func string(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key), isSecret: ServeSources.secretKeys.contains(key))
    }

    /// Where the value of `key` came from: the file, the variable, `command line`.
    func source(of key: String) -> String {
        origins?.source(of: key) ?? "configuration"
    }

    /// Whether the configuration file set `key` (and no flag or variable did).
    func isFromFile(_ key: String) -> Bool {
        guard let origins, let file = origins.file, string(key) != nil else { return false }
        return origins.source(of: key) == file
    }

    /// An error about `key`'s value, naming where it came from.
    func error(_ key: String, _ reason: String) -> ConfigFileError {
        ConfigFileError(file: source(of: key), keyPath: key, reason: reason)
    }

    /// A whole number above zero.
    func positiveInt(_ key: String) throws(ConfigFileError) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw error(key, "must be a whole number (got \(text))")
        }
        guard value > 0 else { throw error(key, "must be positive (got \(value))") }
        return value
    }

    /// `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0`.
    func bool(_ key: String) throws(ConfigFileError) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw error(key, "must be true or false (got \(text))")
        }
    }

    /// A duration (`500ms`, `30s`, `2m`, `1h30m`), longer than zero unless `allowZero`.
    func duration(_ key: String, allowZero: Bool = false) throws(ConfigFileError) -> Duration? {
        guard let text = string(key) else { return nil }
        switch DurationText.parse(text) {
        case .success(let duration):
            guard allowZero || duration > .zero else { throw error(key, "must be longer than zero") }
            return duration
        case .failure(let reason):
            throw error(key, reason.description)
        }
    }

    /// One of `type`'s raw values.
    func choice<Choice: RawRepresentable<String>>(
        _ key: String, _ type: Choice.Type, expected: String
    ) throws(ConfigFileError) -> Choice? {
        guard let text = string(key) else { return nil }
        guard let value = Choice(rawValue: text) else { throw error(key, "must be \(expected) (got \(text))") }
        return value
    }
}
