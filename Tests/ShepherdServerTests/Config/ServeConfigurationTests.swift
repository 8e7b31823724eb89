import Canary
import Configuration
import Foundation
import Logging
import Resilience
import ShepherdConfig
import ShepherdServer
import ShepherdTesting
import Testing
import Upstream

/// A class, so that the files a test wrote are removed when it ends (Swift Testing makes one
/// instance per test and releases it after): they were left in the temporary directory, 33 a run.
final class ServeConfigurationTests {
    private var written: [String] = []

    deinit {
        for path in written { try? FileManager.default.removeItem(atPath: path) }
    }

    func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-\(UUID().uuidString).yaml")
            .path
        written.append(path)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theDocumentedExampleLoads() throws {
        let example = Repository.path("shepherd.example.yaml")
        let config = try ServeConfiguration.resolve(file: example, overrides: .init(), environment: [:])
        #expect(config.configFile == example)
        #expect(config.legacy.flavor == .anthropic)
        #expect(config.legacy.url == "https://api.anthropic.com")
        #expect(config.relay.flavor == .openAICompatible)
        #expect(config.server.host == "127.0.0.1" && config.server.port == 8080)
        #expect(config.server.rollbackFlagFile == "/tmp/shepherd-rollback")
    }

    @Test func theExampleIsNotWhereServeLooksForItsDefaultConfiguration() {
        // `serve` started from a checkout reads ./shepherd.yaml when it exists: an example there
        // (legacy.flavor: anthropic) would silently apply to a newcomer's --legacy-url.
        let path = Repository.path("shepherd.yaml")
        #expect(!FileManager.default.fileExists(atPath: path), "\(path) would be read by every serve started here")
    }

    @Test func theStartUpLineSaysWhichConfigurationFileWasRead() throws {
        let overrides = ServeConfiguration.Overrides([
            "legacy.url": "http://a.example/v1", "relay.url": "http://b.example/v1",
        ])
        let none = try ServeConfiguration.resolve(file: nil, overrides: overrides, environment: [:])
        #expect(none.configFile == nil)
        // The environment is a source of every key now, not of secrets only: the line says so.
        #expect(none.description.hasSuffix("; no configuration file (flags, environment and defaults only)"))
        let file = try write("listen: 127.0.0.1:9000\n")
        let read = try ServeConfiguration.resolve(file: file, overrides: overrides, environment: [:])
        #expect(read.description.hasSuffix("; configuration file \(file)"))
    }

    @Test func eachPathsTimeoutBoundsTheWholeCallAndAReadIdleTimeoutIsItsOwnSetting() throws {
        let file = try write(
            "legacy: {url: http://a.example/v1, timeout: 300s}\nrelay: {url: http://b.example/v1, timeout: 90s, readIdleTimeout: 20s}\n"
        )
        let config = try ServeConfiguration.resolve(file: file, overrides: .init(), environment: [:])
        #expect(config.legacy.timeout == .seconds(300) && config.legacy.readIdleTimeout == nil)
        #expect(config.relay.readIdleTimeout == .seconds(20))
        // The router's own deadlines never cut a call shorter than its path's timeout.
        #expect(config.deadlines.total == .seconds(300))
        #expect(config.deadlines.perAttempt == nil)
        let zero = try write(
            "legacy: {url: http://a.example/v1, readIdleTimeout: 0s}\nrelay: {url: http://b.example/v1}\n")
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(file: zero, overrides: .init(), environment: [:])
        }
        #expect(error?.description.contains("legacy.readIdleTimeout") == true)
    }

    @Test func flagsOverrideTheFileAndTheEnvironmentSuppliesSecrets() throws {
        let file = try write(
            "listen: 127.0.0.1:9000\nlegacy: {url: http://a.example/v1}\nrelay: {url: http://b.example/v1}\n")
        let config = try ServeConfiguration.resolve(
            file: file,
            overrides: ["listen": "127.0.0.1:9100", "legacy.flavor": "anthropic", "policy": "p.yaml"],
            environment: [
                "SHEPHERD_LEGACY_API_KEY": "sk-legacy-SECRET", "SHEPHERD_RELAY_API_KEY": "sk-relay-SECRET",
                "SHEPHERD_ADMIN_TOKEN": "admin-SECRET", "SHEPHERD_CLIENT_KEYS": "c1-SECRET, c2-SECRET",
            ])
        #expect(config.server.port == 9100)
        #expect(config.legacy.flavor == .anthropic)
        #expect(config.policyFile == "p.yaml")
        #expect(config.legacy.apiKey == Secret("sk-legacy-SECRET"))
        #expect(config.server.adminToken?.matches("admin-SECRET") == true)
        #expect(config.server.clientKeys == [Secret("c1-SECRET"), Secret("c2-SECRET")])
        #expect(!config.description.contains("SECRET"))
        #expect("\(config.server)".contains("adminAPI: on"))
    }

    /// The issue's precedence: a flag beats the environment, the environment beats the file.
    /// (Before swift-configuration only secrets came from the environment; no test pinned the file
    /// over a variable.)
    @Test func aFlagBeatsAVariableAndAVariableBeatsTheFile() throws {
        let file = try write(
            "listen: 127.0.0.1:9000\npolicy: file.yaml\nstate: file.sqlite\n"
                + "legacy: {url: http://file.example/v1, timeout: 10s}\nrelay: {url: http://b.example/v1}\n")
        let environment = [
            "SHEPHERD_LISTEN": "127.0.0.1:9100", "SHEPHERD_POLICY": "environment.yaml",
            "SHEPHERD_LEGACY_URL": "http://environment.example/v1", "SHEPHERD_LEGACY_TIMEOUT": "20s",
        ]
        let config = try ServeConfiguration.resolve(
            file: file, overrides: ["listen": "127.0.0.1:9200"], environment: environment)
        #expect(config.server.port == 9200, "the flag")
        #expect(config.policyFile == "environment.yaml", "the variable over the file")
        #expect(config.legacy.url == "http://environment.example/v1")
        #expect(config.legacy.timeout == .seconds(20))
        #expect(config.stateFile == "file.sqlite", "the file where nothing else says")
        #expect(config.relay.timeout == .seconds(60), "the default where nothing says")
        // An empty variable is unset: the file's value stands.
        let empty = try ServeConfiguration.resolve(
            file: file, overrides: .init(), environment: ["SHEPHERD_LISTEN": "", "SHEPHERD_LEGACY_API_KEY": ""])
        #expect(empty.server.port == 9000)
        #expect(empty.legacy.apiKey == nil)
    }

    @Test func everyKeyHasAVariable() throws {
        let config = try ServeConfiguration.resolve(
            file: nil, overrides: .init(),
            environment: [
                "SHEPHERD_LEGACY_URL": "http://a.example/v1", "SHEPHERD_LEGACY_FLAVOR": "anthropic",
                "SHEPHERD_RELAY_URL": "https://b.example/v1", "SHEPHERD_RELAY_HTTP2": "true",
                "SHEPHERD_RELAY_READ_IDLE_TIMEOUT": "15s", "SHEPHERD_RELAY_MAX_CONNECTIONS": "64",
                "SHEPHERD_RELAY_CONNECT_TIMEOUT": "2s", "SHEPHERD_RELAY_SERVER_NAME": "relay.internal",
                "SHEPHERD_RELAY_PROXY": "http://p:3128", "SHEPHERD_SERVER_MAX_BODY_BYTES": "1024",
                "SHEPHERD_SERVER_IDLE_TIMEOUT": "5s", "SHEPHERD_SERVER_ROLLBACK_FLAG_FILE": "/tmp/flag",
                "SHEPHERD_SERVER_SHUTDOWN_GRACE_PERIOD": "0s", "SHEPHERD_LOGGING_FORMAT": "json",
                "SHEPHERD_TRACING_RECORD_CONTENT": "yes", "SHEPHERD_STATE": "env.sqlite",
            ])
        #expect(config.legacy.flavor == .anthropic)
        #expect(config.relay.http2 && config.relay.readIdleTimeout == .seconds(15))
        #expect(config.relay.maxConnections == 64 && config.relay.connectTimeout == .seconds(2))
        #expect(config.relay.tls.serverName == "relay.internal" && config.relay.proxy?.port == 3128)
        #expect(config.server.maxBodyBytes == 1024 && config.server.idleTimeout == .seconds(5))
        #expect(config.server.rollbackFlagFile == "/tmp/flag" && config.server.shutdownGracePeriod == .zero)
        #expect(config.logFormat == .json && config.recordContent == true && config.stateFile == "env.sqlite")
    }

    /// A value that cannot be read stops start-up naming where it came from, never falls back to
    /// the default (swift-configuration's typed getters would).
    @Test(arguments: [
        ("SHEPHERD_LEGACY_TIMEOUT", "soon", "legacy.timeout", "duration"),
        ("SHEPHERD_SERVER_MAX_CONNECTIONS", "many", "server.maxConnections", "whole number"),
        ("SHEPHERD_RELAY_HTTP2", "sometimes", "relay.http2", "true or false"),
        ("SHEPHERD_SERVER_ALLOW_UNAUTHENTICATED", "perhaps", "server.allowUnauthenticated", "true or false"),
        ("SHEPHERD_LISTEN", "0.0.0.0:8080", "listen", "--allow-unauthenticated"),
    ])
    func aBadVariableNamesTheVariableAndTheKey(variable: String, value: String, key: String, reason: String) throws {
        let file = try write("legacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\n")
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(file: file, overrides: .init(), environment: [variable: value])
        }
        #expect(error?.file == variable)
        #expect(error?.keyPath == key)
        #expect(error?.reason.contains(reason) == true, "got \(error?.description ?? "nothing")")
    }

    @Test func aBadFlagNamesTheCommandLine() {
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(
                file: nil, overrides: ["listen": "8080", "legacy.url": "http://a/v1", "relay.url": "http://b/v1"],
                environment: [:])
        }
        #expect(error?.file == "command line")
        #expect(error?.keyPath == "listen")
    }

    /// A flag the command maps to a key the configuration does not have is refused, not dropped.
    @Test(arguments: ["relay.caFiles", "legacy", "tls.caFile", "lsiten"])
    func aFlagForAKeyTheFileDoesNotHaveIsRefused(key: String) {
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(file: nil, overrides: [key: "x"], environment: [:])
        }
        #expect(error?.file == "command line")
        #expect(error?.keyPath == key)
        #expect(error?.reason == "is not a configuration key")
    }

    /// The key that comes from the environment beats both of the file's ways of giving it.
    @Test func anAPIKeyFromTheEnvironmentBeatsTheFilesKeyAndTheVariableItNames() throws {
        let file = try write(
            "legacy: {url: http://a/v1, apiKey: file-key-SECRET, apiKeyEnv: OTHER_KEY}\nrelay: {url: http://b/v1}\n")
        let named = try ServeConfiguration.resolve(
            file: file, overrides: .init(), environment: ["OTHER_KEY": "named-key-SECRET"])
        #expect(named.legacy.apiKey == Secret("named-key-SECRET"))
        let direct = try ServeConfiguration.resolve(
            file: file, overrides: .init(),
            environment: ["OTHER_KEY": "named-key-SECRET", "SHEPHERD_LEGACY_API_KEY": "env-key-SECRET"])
        #expect(direct.legacy.apiKey == Secret("env-key-SECRET"))
    }

    /// Hummingbird's way: a host program reads the same keys from its own `ConfigReader`.
    @Test func aHostProgramsOwnReaderGivesTheSameKeys() throws {
        let reader = ConfigReader(
            provider: InMemoryProvider(values: [
                "legacy.url": "http://a.example/v1", "relay.url": "http://b.example/v1", "relay.timeout": "90s",
                "server.adminToken": .init(.string("admin-token-SECRET-0123"), isSecret: true),
            ]))
        let config = try ServeConfiguration(reader: reader)
        #expect(config.relay.timeout == .seconds(90))
        #expect(config.server.adminToken?.matches("admin-token-SECRET-0123") == true)
        #expect(config.configFile == nil)
        let bad = ConfigReader(provider: InMemoryProvider(values: ["relay.url": "http://b.example/v1"]))
        let error = #expect(throws: ConfigFileError.self) { try ServeConfiguration(reader: bad) }
        #expect(error?.keyPath == "legacy.url")
    }

    /// The admin token and the client keys come from the environment only.
    @Test func theFileCannotHoldTheAdminTokenOrTheClientKeys() throws {
        let file = try write("legacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\nserver: {adminToken: x}\n")
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(file: file, overrides: .init(), environment: [:])
        }
        #expect(error?.keyPath == "server.adminToken")
        #expect(error?.reason.contains("unknown key") == true)
    }

    /// Upstream keys, the admin token, client keys and a proxy's password: none shows in a
    /// description, an interpolation, `String(reflecting:)` or `dump()`.
    @Test func aConfigurationHoldingSecretsNeverShowsThem() throws {
        let file = try write(
            "legacy: {url: http://a/v1, apiKey: sk-file-SECRET-legacy}\n"
                + "relay: {url: http://b/v1, proxy: 'http://user:proxy-SECRET-pw@p:3128'}\n")
        let config = try ServeConfiguration.resolve(
            file: file, overrides: .init(),
            environment: [
                "SHEPHERD_RELAY_API_KEY": "sk-env-SECRET-relay", "SHEPHERD_ADMIN_TOKEN": "admin-SECRET-token",
                "SHEPHERD_CLIENT_KEYS": "client-SECRET-one,client-SECRET-two",
            ])
        #expect(config.secrets.count == 5)
        for value in [config, config.server, config.legacy, config.relay] as [Any] {
            var dumped = ""
            dump(value, to: &dumped)
            for text in ["\(value)", String(describing: value), String(reflecting: value), dumped] {
                #expect(!text.contains("SECRET"), "\(text)")
            }
        }
        let secret = Secret("sk-SECRET")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(Mirror(reflecting: secret).children.isEmpty)
        #expect(!dumped.contains("SECRET") && !"\(secret)".contains("SECRET"))
    }

    @Test(arguments: [
        ("legacy: {url: http://a/v1}\n", "relay.url", "is required"),
        ("legacy: {url: ftp://a/v1}\nrelay: {url: http://b/v1}\n", "legacy.url", "http(s) URL"),
        (
            "legacy: {url: http://a/v1, flavor: gemini}\nrelay: {url: http://b/v1}\n", "legacy.flavor",
            "openai or anthropic"
        ),
        ("listen: 8080\nlegacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\n", "listen", "HOST:PORT"),
        (
            "listen: 0.0.0.0:8080\nlegacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\n", "listen",
            "--allow-unauthenticated"
        ),
        (
            "legacy: {url: http://a/v1, apiKeyEnv: NOPE_NOT_SET}\nrelay: {url: http://b/v1}\n", "legacy.apiKeyEnv",
            "not set"
        ),
        (
            "legacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\nserver: {maxBodyBytes: 0}\n", "server.maxBodyBytes",
            "positive"
        ),
        ("lisen: 127.0.0.1:1\n", "lisen", "unknown key"),
        (
            "legacy: {url: http://a/v1}\nrelay: {url: https://b/v1, caFile: /nonexistent/ca.pem}\n", "relay.caFile",
            "does not exist"
        ),
        (
            "legacy: {url: http://a/v1}\nrelay: {url: https://b/v1, systemRoots: false}\n", "relay.systemRoots",
            "needs relay.caFile"
        ),
        (
            "legacy: {url: http://a/v1}\nrelay: {url: https://b/v1, proxy: 'socks5://p:1'}\n", "relay.proxy",
            "only http://"
        ),
        (
            "legacy: {url: http://a/v1, connectTimeout: 0s}\nrelay: {url: http://b/v1}\n", "legacy.connectTimeout",
            "longer than zero"
        ),
        ("legacy: {url: http://a/v1}\nrelay: {url: http://b/v1, http2: sometimes}\n", "relay.http2", "true or false"),
        (
            "legacy: {url: http://a/v1, maxConnections: 0}\nrelay: {url: http://b/v1}\n", "legacy.maxConnections",
            "positive"
        ),
    ])
    func invalidConfigurationNamesTheKeyAndTheReason(yaml: String, key: String, reason: String) throws {
        let file = try write(yaml)
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(file: file, overrides: .init(), environment: [:])
        }
        #expect(error?.file == file)
        #expect(error?.keyPath == key)
        #expect(error?.reason.contains(reason) == true, "got \(error?.description ?? "nothing")")
    }

    /// Pools sized for streams, and HTTP/1.1 unless HTTP/2 is asked for (one HTTP/2 connection
    /// per host would queue streams past its stream limit).
    @Test func poolsHoldThousandsOfStreamsAndHTTP2IsAskedForPerPath() throws {
        let config = try ServeConfiguration.resolve(
            file: try write("legacy: {url: http://a.example/v1}\nrelay: {url: https://b.example/v1, http2: true}\n"),
            overrides: .init(), environment: [:])
        #expect(config.legacy.maxConnections >= 2_000 && config.relay.maxConnections >= 2_000)
        #expect(!config.legacy.http2)
        #expect(config.relay.http2)
        #expect(config.relay.description.contains("HTTP/2 allowed") && !config.legacy.description.contains("HTTP/2"))
    }

    @Test func connectionSettingsComeFromTheFileFlagsAndTheEnvironment() throws {
        let ca = try write("-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n")
        let file = try write(
            "legacy: {url: http://a.example/v1, connectTimeout: 7s, proxy: none}\n"
                + "relay: {url: https://relay.example.com/v1, serverName: relay.internal, proxy: 'http://u:pw-SECRET@p:3128'}\n"
        )
        let config = try ServeConfiguration.resolve(
            file: file, overrides: .init(), environment: ["HTTP_PROXY": "http://envproxy:8080"])
        #expect(config.legacy.connectTimeout == .seconds(7))
        #expect(config.legacy.proxy == nil, "proxy: none beats the environment")
        #expect(config.relay.connectTimeout == .seconds(3), "the default: a few seconds, not 10")
        #expect(config.relay.tls.serverName == "relay.internal")
        #expect(config.relay.proxy?.host == "p" && config.relay.proxy?.port == 3128)
        #expect(!config.description.contains("pw-SECRET"))
        // A flag beats the file; the environment's proxy applies where the file says nothing.
        let overrides: ServeConfiguration.Overrides = ["relay.serverName": "other.internal", "relay.proxy": "none"]
        let flagged = try ServeConfiguration.resolve(
            file: try write("legacy: {url: http://a.example/v1}\nrelay: {url: https://relay.example.com/v1}\n"),
            overrides: overrides,
            environment: ["HTTP_PROXY": "http://envproxy:8080", "HTTPS_PROXY": "http://envproxy:8443"])
        #expect(flagged.relay.tls.serverName == "other.internal")
        #expect(flagged.relay.proxy == nil)
        #expect(flagged.legacy.proxy?.host == "envproxy" && flagged.legacy.proxy?.port == 8080)
        // SSL_CERT_FILE is a CA bundle the process trusts; a bad one names the variable.
        let error = #expect(throws: ConfigFileError.self) {
            try ServeConfiguration.resolve(
                file: try write("legacy: {url: http://a.example/v1}\nrelay: {url: https://relay.example.com/v1}\n"),
                overrides: .init(), environment: ["SSL_CERT_FILE": ca])
        }
        #expect(error?.file == "SSL_CERT_FILE")
        #expect(error?.keyPath == "legacy.caFile")
    }

    @Test func nonLoopbackIsAllowedWithClientKeysOrTheExplicitFlag() throws {
        let file = try write("listen: 0.0.0.0:8080\nlegacy: {url: http://a/v1}\nrelay: {url: http://b/v1}\n")
        #expect(throws: Never.self) {
            try ServeConfiguration.resolve(file: file, overrides: .init(), environment: ["SHEPHERD_CLIENT_KEYS": "k"])
        }
        #expect(throws: Never.self) {
            try ServeConfiguration.resolve(
                file: file, overrides: ["server.allowUnauthenticated": "true"], environment: [:])
        }
    }

    @Test func secretsNeverPrintAndCompareWhole() {
        let secret = Secret("tok-123")
        #expect("\(secret)" == "[REDACTED]")
        #expect(String(reflecting: secret) == "[REDACTED]")
        #expect(secret.matches("tok-123"))
        #expect(!secret.matches("tok-12"))
        #expect(!secret.matches("tok-1234"))
        #expect(!secret.matches(""))
    }
}

struct RollbackFlagWatcherTests {
    @Test func flagFileEngagesTheSwitchWhileItExistsOnTheWatchersSchedule() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rollback-\(UUID().uuidString)").path
        let rollback = RollbackSwitch()
        let clock = ManualClock()
        let watcher = RollbackFlagWatcher(
            path: path, rollbackSwitch: rollback, interval: .seconds(1), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await watcher.run() }
        await clock.waitForSleepers(count: 1)
        #expect(!rollback.isEngaged)

        try "relay paging, rolling back\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!rollback.isEngaged)  // nothing happens until the watcher looks
        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(count: 1)
        #expect(rollback.state.engagedBy == [.flagFile])
        #expect(rollback.state.reasons[.flagFile]?.contains("relay paging, rolling back") == true)

        try FileManager.default.removeItem(atPath: path)
        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(count: 1)
        #expect(!rollback.isEngaged)
        task.cancel()
        _ = await task.result
    }
}
