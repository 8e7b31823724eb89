public import Canary
public import Configuration
import ShepherdConfig
import Synchronization

/// The three sources of `shepherd serve`'s keys, in precedence order, behind one `ConfigReader`.
///
/// - the command line: the parsed flags (``ServeConfiguration/Overrides``) in an in-memory provider;
/// - the environment: `SHEPHERD_` and the key in upper snake case (`legacy.readIdleTimeout` is
///   `SHEPHERD_LEGACY_READ_IDLE_TIMEOUT`), except the admin token and the client keys, which keep
///   their short names (`SHEPHERD_ADMIN_TOKEN`, `SHEPHERD_CLIENT_KEYS`); an empty variable is unset;
/// - the file: `shepherd.yaml`, read strictly (an unknown key, a list where a value belongs, a key
///   twice: each stops start-up naming it) into an in-memory provider named after the file.
///   swift-configuration's own YAML snapshot cannot list its keys, so it could not refuse a typo
///   that would leave a default silently in force.
///
/// Every value is read as text and parsed by ``ServeConfiguration`` itself: a `ConfigReader`'s
/// typed getters return the default for a value they cannot convert, and a value that cannot be
/// read must stop start-up instead, naming the flag, the variable or the file it came from.
struct ServeSources {
    /// The reader over the three sources.
    let reader: ConfigReader
    /// Which source answered each key.
    let origins: ValueOrigins

    /// The keys a configuration file may hold, by section (`""` is the top level).
    static let fileKeys: [String: [String]] = [
        "": ["listen", "policy", "state", "legacy", "relay", "server", "logging", "tracing"],
        "legacy": upstreamKeys,
        "relay": upstreamKeys,
        "server": [
            "maxBodyBytes", "rollbackFlagFile", "flagFileInterval", "shutdownGracePeriod", "allowUnauthenticated",
            "idleTimeout", "maxConnections",
        ],
        "logging": ["format"],
        "tracing": ["recordContent"],
    ]

    /// The keys of one upstream section.
    static let upstreamKeys = [
        "url", "flavor", "apiKey", "apiKeyEnv", "timeout", "readIdleTimeout", "maxConnections", "http2",
        "connectTimeout", "caFile", "systemRoots", "certFile", "keyFile", "serverName", "proxy",
    ]

    /// Keys whose values are secrets, wherever they come from.
    static let secretKeys: Set<String> = ["legacy.apiKey", "relay.apiKey", "server.adminToken", "server.clientKeys"]

    /// The keys read from the environment only, under their historical names.
    static let environmentOnly: [String: String] = [
        "server.adminToken": "SHEPHERD_ADMIN_TOKEN", "server.clientKeys": "SHEPHERD_CLIENT_KEYS",
    ]

    /// Builds the reader: `file` (when given) is read now.
    ///
    /// - Throws: ``ConfigFileError`` naming the file for a file that cannot be read, is not YAML,
    ///   or holds an unknown key.
    init(file: String?, overrides: ServeConfiguration.Overrides, environment: [String: String])
        throws(ConfigFileError)
    {
        let flags = InMemoryProvider(name: "command line", values: try Self.flagValues(overrides))
        let variables = EnvironmentVariablesProvider(
            environmentVariables: environment.filter { $0.key.hasPrefix("SHEPHERD_") && !$0.value.isEmpty },
            secretsSpecifier: .dynamic { name, _ in
                name.hasSuffix("_API_KEY") || Self.environmentOnly.values.contains(name)
            }
        ).mapKeys(Self.environmentKey)
        var providers: [any ConfigProvider] = [flags, variables]
        var labels = [flags.providerName: "command line"]
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigFileError(file: file, keyPath: "", reason: "cannot be read (\(error.localizedDescription))")
            }
            let values = try Self.fileValues(YAMLMap.document(text, file: file))
            let provider = InMemoryProvider(name: file, values: values)
            providers.append(provider)
            labels[provider.providerName] = file
        }
        origins = ValueOrigins(labels: labels, file: file)
        reader = ConfigReader(providers: providers, accessReporter: origins)
    }

    /// The environment variable's key for a configuration key: `shepherd.` before it, so that
    /// `legacy.url` is read from `SHEPHERD_LEGACY_URL`.
    @Sendable static func environmentKey(_ key: AbsoluteConfigKey) -> AbsoluteConfigKey {
        let dotted = key.components.joined(separator: ".")
        if let name = environmentOnly[dotted] {
            return AbsoluteConfigKey(name.split(separator: "_").map { $0.lowercased() })
        }
        return AbsoluteConfigKey(["shepherd"] + key.components)
    }

    /// The command line's values, each key checked against ``fileKeys``.
    static func flagValues(_ overrides: ServeConfiguration.Overrides) throws(ConfigFileError)
        -> [AbsoluteConfigKey: ConfigValue]
    {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides.values {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            let (section, leaf) = parts.count == 2 ? (parts[0], parts[1]) : ("", key)
            guard fileKeys[section]?.contains(leaf) == true, fileKeys[key] == nil else {
                throw ConfigFileError(file: "command line", keyPath: key, reason: "is not a configuration key")
            }
            values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.string(value), isSecret: secretKeys.contains(key))
        }
        return values
    }

    /// A file's values, checked against ``fileKeys``: every leaf as text.
    static func fileValues(_ map: YAMLMap) throws(ConfigFileError) -> [AbsoluteConfigKey: ConfigValue] {
        try map.allowOnly(fileKeys[map.path] ?? [])
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for key in map.keys {
            let path = map.path.isEmpty ? key : "\(map.path).\(key)"
            if fileKeys[path] != nil, let section = try map.map(key) {
                values.merge(try fileValues(section)) { first, _ in first }
            } else if let text = try map.string(key) {
                let value = ConfigValue(.string(text), isSecret: secretKeys.contains(path))
                values[AbsoluteConfigKey(ConfigKey(path))] = value
            }
        }
        return values
    }
}

/// Records which source answered each key a `ConfigReader` was asked for: the flags
/// (`command line`), the environment (the variable's name) or the file (its path).
final class ValueOrigins: AccessReporter, Sendable {
    private let labels: [String: String]
    /// The configuration file, if one was read.
    let file: String?
    private let answered = Mutex<[String: String]>([:])

    /// - Parameters:
    ///   - labels: the name to show for each provider, by its `providerName`; a provider not
    ///     listed (the environment) is shown by the name it looked up (the variable).
    ///   - file: the configuration file, also the source named for a key no source set (a
    ///     missing one); without a file, `command line`.
    init(labels: [String: String], file: String?) {
        self.labels = labels
        self.file = file
    }

    func report(_ event: AccessEvent) {
        for provider in event.providerResults {
            guard case .success(let lookup) = provider.result, lookup.value != nil else { continue }
            let source = labels[provider.providerName] ?? lookup.encodedKey
            answered.withLock { $0[event.metadata.key.components.joined(separator: ".")] = source }
            return
        }
    }

    /// The source that answered `key`; the file, else `command line`, when none did.
    func source(of key: String) -> String {
        answered.withLock { $0[key] } ?? file ?? "command line"
    }
}
