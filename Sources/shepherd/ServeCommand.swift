import ArgumentParser
import Canary
import Foundation
import Logging
import Metrics
import Prometheus
import Resilience
import ServiceLifecycle
import Shepherd
import ShepherdConfig
import ShepherdPostgres
import ShepherdServer
import Upstream

/// `shepherd serve`: the OpenAI-compatible proxy that splits traffic between legacy and the relay.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the OpenAI-compatible proxy that migrates traffic from the legacy path to the relay.",
        discussion: """
            Reads the flags, then the environment, then the file --config names, else ./shepherd.yaml \
            when it exists (shepherd.example.yaml in the repository is a documented example to copy, never \
            read unless named): a flag beats a variable, a variable beats the file. Every key of the file \
            has a variable, SHEPHERD_ and the key in upper snake case (legacy.timeout: \
            SHEPHERD_LEGACY_TIMEOUT); secrets belong there (SHEPHERD_LEGACY_API_KEY, \
            SHEPHERD_RELAY_API_KEY, SHEPHERD_ADMIN_TOKEN, SHEPHERD_CLIENT_KEYS), as does the rollback \
            switch (SHEPHERD_ROLLBACK). The start-up line says which configuration file, if any, was read. \
            Stops on SIGTERM or SIGINT after letting in-flight requests finish.

            Example: shepherd serve --legacy-url https://api.anthropic.com --legacy-flavor anthropic \\
                       --relay-url https://relay.example.com/v1 --policy policies/default.yaml
            """
    )

    @Option(
        name: .long,
        help: "The configuration file (default: ./shepherd.yaml when it exists; see shepherd.example.yaml).")
    var config: String?

    @Option(name: .long, help: "HOST:PORT to listen on (default 127.0.0.1:8080).")
    var listen: String?

    @Option(name: .long, help: "The legacy path's API root, as its SDK takes it.")
    var legacyURL: String?

    @Option(name: .long, help: "The legacy path's wire format: openai or anthropic (default openai).")
    var legacyFlavor: ProviderKind?

    @Option(name: .long, help: "The relay's API root (OpenAI-compatible).")
    var relayURL: String?

    @Option(name: .long, help: "The relay's wire format: openai or anthropic (default openai).")
    var relayFlavor: ProviderKind?

    @Option(name: .long, help: "The rollout policy file.")
    var policy: String?

    @Option(
        name: .long,
        help:
            "The state: a SQLite file (one process), or postgres://USER@HOST:PORT/DB shared by several replicas (password from SHEPHERD_POSTGRES_PASSWORD)."
    )
    var state: String?

    @Option(name: .long, help: "This replica's id on a shared store (default: host-pid-random, new at each start).")
    var replicaID: String?

    @Option(name: .long, help: "A file whose presence engages the rollback switch.")
    var rollbackFlagFile: String?

    @Flag(name: .long, help: "Allow a non-loopback address without client keys.")
    var allowUnauthenticated = false

    @Flag(name: .long, help: "Check the configuration and the policy, print them (secrets redacted) and exit.")
    var check = false

    @Option(
        name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.",
        transform: { text in
            // A transform, not a retroactive conformance of swift-log's type to ArgumentParser's protocol.
            guard let level = Logger.Level(rawValue: text) else {
                throw ValidationError(
                    "--log-level: \(text) is not one of trace, debug, info, notice, warning, error, critical")
            }
            return level
        })
    var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help: "Log lines as text or json (one JSON object per line; default: the file's logging.format, else text).")
    var logFormat: LogFormat?

    @OptionGroup(title: "TLS and proxy, per path")
    var connection: ServeConnectionOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file = config ?? (FileManager.default.fileExists(atPath: "shepherd.yaml") ? "shepherd.yaml" : nil)
        let flags: [String: String?] = [
            "listen": listen, "legacy.url": legacyURL, "legacy.flavor": legacyFlavor?.rawValue, "relay.url": relayURL,
            "relay.flavor": relayFlavor?.rawValue, "policy": policy, "state": state,
            "server.allowUnauthenticated": allowUnauthenticated ? "true" : nil,
            "server.rollbackFlagFile": rollbackFlagFile, "logging.format": logFormat?.rawValue,
        ]
        let overrides = ServeConfiguration.Overrides(flags.merging(connection.values) { $1 })
        let settings = try loadOrExit {
            try ServeConfiguration.resolve(file: file, overrides: overrides, environment: environment)
        }
        let tracing = try loadOrExit {
            try TracingSettings(environment: environment, recordContent: settings.recordContent)
        }
        let policy = try loadOrExit { try RolloutPolicy.load(file: settings.policyFile) }
        // A shared store's URL is checked before anything prints it: one with a password is refused.
        var postgres: PostgresStoreConfiguration?
        if PostgresStoreConfiguration.isPostgresURL(settings.stateFile) {
            do {
                postgres = try PostgresStoreConfiguration(
                    url: settings.stateFile, password: environment["SHEPHERD_POSTGRES_PASSWORD"])
            } catch {
                printError("error: --state: \(error)")
                throw ExitCode(2)
            }
        }
        if postgres == nil {
            // The state file is created on start: its folder must exist and be writable, and
            // --check must say so rather than ok.
            let folder = URL(fileURLWithPath: settings.stateFile).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                printError("error: --state \(settings.stateFile): the folder \(folder) does not exist")
                throw ExitCode(2)
            }
            if !FileManager.default.isWritableFile(atPath: folder) {
                printError("error: --state \(settings.stateFile): this process cannot write in \(folder)")
                throw ExitCode(2)
            }
        }
        if check {
            print("configuration ok: \(settings); \(tracing)")
            print(
                "policy ok: rollout \(policy.rolloutID), ladder \(policy.ramp.ladder.map(formatPercent).joined(separator: " → "))"
            )
            return
        }

        // Before any server work: concurrency on NIO's event loops, fewer malloc arenas (see ServerRuntime).
        let runtime = ServerRuntime.prepare()
        Observability.bootstrapLogging(
            format: settings.logFormat, level: logLevel, secrets: settings.secrets + tracing.secrets,
            traceIDs: tracing.isEnabled)
        let logger = Logger(label: "shepherd.serve")
        // Before the providers: their HTTP clients take the tracer that is bootstrapped when they are made.
        let observability = try Observability.bootstrapTracing(tracing, environment: environment)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let rollbackSwitch = RollbackSwitch(environment: environment)
        let store: any RolloutStore
        var storeService: (any Service)?
        do {
            if let postgres {
                let shared = PostgresRolloutStore(configuration: postgres, logger: Logger(label: "shepherd.store"))
                store = shared
                storeService = shared
            } else {
                store = try SQLiteRolloutStore(path: settings.stateFile, configuration: .init(exclusive: true))
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        var fleet = FleetConfiguration()
        if let replicaID { fleet.replicaID = replicaID }
        let prices = PriceTable(defaultsOverriddenBy: policy.prices)
        let legacy = Self.provider(name: "legacy", settings.legacy, prices: prices)
        let relay = Self.provider(name: "relay", settings.relay, prices: prices)
        // Each path's `timeout:` bounds the whole call on it, retries included (see ServeConfiguration.deadlines).
        let router = try await MigrationRouter(
            legacy: legacy, relay: relay,
            configuration: .init(
                policy: policy, deadlines: settings.deadlines, fleet: fleet,
                tracing: RouterTracing(recordContent: tracing.recordContent)),
            store: store,
            rollbackSwitch: rollbackSwitch, clock: ContinuousClock(), logger: Logger(label: "shepherd.router"))
        let app = try buildShepherdApplication(
            router: router, store: store, configuration: settings.server, registry: registry, logger: logger)

        // First in, last out: the shared store's connections outlive the router and the server.
        // The exporter first, so that it stops last and flushes the spans of the last requests.
        var services: [any Service] = (observability.map { [$0] } ?? []) + (storeService.map { [$0] } ?? [])
        services.append(router.controller)
        if let path = settings.server.rollbackFlagFile {
            services.append(
                RollbackFlagWatcher(
                    path: path, rollbackSwitch: rollbackSwitch, interval: settings.server.flagFileInterval,
                    clock: ContinuousClock(), logger: Logger(label: "shepherd.rollback-flag")))
        }
        services.append(app)  // last in, first out: the server drains before the router stops
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = settings.server.shutdownGracePeriod
        logger.notice("shepherd serve: \(settings); \(tracing)")
        if storeService != nil { logger.notice("replica \(fleet.replicaID) on a shared store") }
        logger.debug("runtime: \(runtime)")
        if let warning = runtime.warning { logger.warning("\(warning)") }
        var failure: (any Error)?
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            // A listener that cannot bind, a store that fails: a supervisor must see a failure,
            // not a clean stop, so the exit status is not 0.
            failure = error
            logger.error("stopped with an error: \(error)")
        }
        try await store.close()
        try? await legacy.shutdown()
        try? await relay.shutdown()
        if let failure {
            printError("error: shepherd serve stopped: \(failure)")
            throw ExitCode(1)
        }
        logger.notice("shepherd serve stopped; state flushed to \(settings.stateFile)")
    }

    static func provider(name: String, _ upstream: ServeConfiguration.Upstream, prices: PriceTable)
        -> any ShutdownableProvider
    {
        let connection = UpstreamConnection(
            timeout: upstream.timeout, readIdleTimeout: upstream.readIdleTimeout,
            connectTimeout: upstream.connectTimeout, maxConnectionsPerHost: upstream.maxConnections, tls: upstream.tls,
            proxy: upstream.proxy, http2: upstream.http2)
        switch upstream.flavor {
        case .anthropic:
            return AnthropicProvider(
                configuration: .init(
                    name: name, baseURL: upstream.url, apiKey: upstream.apiKey, connection: connection, prices: prices))
        case .openAICompatible:
            return OpenAICompatibleProvider(
                configuration: .init(
                    name: name, baseURL: upstream.url, apiKey: upstream.apiKey, connection: connection, prices: prices))
        }
    }
}

/// A provider that owns an HTTP client to shut down.
protocol ShutdownableProvider: ChatProvider {
    func shutdown() async throws
}

extension AnthropicProvider: ShutdownableProvider {}
extension OpenAICompatibleProvider: ShutdownableProvider {}
extension ProviderKind: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
