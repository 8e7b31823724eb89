// swift-tools-version: 6.1
// Shepherd: a canary migration and traffic-splitting controller for LLM API calls.
//
// Layers (dependencies point one way, from pure logic out to I/O; see README "What is here"):
//   Canary        pure rollout logic, no I/O and no dependency: split, health window, scorer, ramp, rollback
//                 switch, the policy and scenario models, simulation, the duration grammar (DurationText)
//   ShepherdConfig reading YAML files (Yams): policies, simulation scenarios (and, through MockProvider, fault
//                 scenarios) with one reader (YAMLMap) and one error type (ConfigFileError)
//   Resilience    retries, budgets, breakers, deadlines, hedging, model chains; generic over Clock; a failure
//                 decided once (CallFailure); Retry-After, HTTP dates and the one calendar codec (CivilTime)
//   Upstream      the wire: OpenAI-compatible types, ChatProvider, OpenAI/Anthropic clients, SSE, the vendors'
//                 list prices (PriceTable)
//   MockProvider  a fault-injecting upstream server for tests, the demo and benchmarks
//   Shepherd      the library façade: MigrationRouter, RolloutController, RolloutStore (SQLite via GRDB),
//                 WallClock (the calendar time stored state and events are kept in)
//   ShepherdPostgres the shared store for several replicas (postgres-nio), apart so SQLite-only users do not link it
//   ShepherdServer the OpenAI-compatible proxy and admin API (Hummingbird); serve's configuration
//                 (swift-configuration)
//   Operator      what an operator runs against a server or a store: admin client, dashboard, report
//   shepherd      the executable: thin commands over the modules, and the process-wide choices (executor,
//                 malloc arenas, open files, logging/metrics/tracing bootstrap)
//   ShepherdTesting (Tests/) what the test targets share: mock upstreams, the test rollout, the repository's policies
//                 and scenarios, a process runner
import PackageDescription

// The products the targets use, each named once.
extension Target.Dependency {
    static var argumentParser: Self { .product(name: "ArgumentParser", package: "swift-argument-parser") }
    static var atomics: Self { .product(name: "Atomics", package: "swift-atomics") }
    static var asyncHTTPClient: Self { .product(name: "AsyncHTTPClient", package: "async-http-client") }
    static var configuration: Self { .product(name: "Configuration", package: "swift-configuration") }
    static var coreMetrics: Self { .product(name: "CoreMetrics", package: "swift-metrics") }
    static var grdb: Self { .product(name: "GRDB", package: "GRDB.swift") }
    static var hummingbird: Self { .product(name: "Hummingbird", package: "hummingbird") }
    static var hummingbirdCore: Self { .product(name: "HummingbirdCore", package: "hummingbird") }
    static var hummingbirdTesting: Self { .product(name: "HummingbirdTesting", package: "hummingbird") }
    static var inMemoryTracing: Self { .product(name: "InMemoryTracing", package: "swift-distributed-tracing") }
    static var instrumentation: Self { .product(name: "Instrumentation", package: "swift-distributed-tracing") }
    static var logging: Self { .product(name: "Logging", package: "swift-log") }
    static var metrics: Self { .product(name: "Metrics", package: "swift-metrics") }
    static var nioCore: Self { .product(name: "NIOCore", package: "swift-nio") }
    static var nioFoundationCompat: Self { .product(name: "NIOFoundationCompat", package: "swift-nio") }
    static var nioHTTP1: Self { .product(name: "NIOHTTP1", package: "swift-nio") }
    static var nioHTTPTypesHTTP1: Self { .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras") }
    static var nioPosix: Self { .product(name: "NIOPosix", package: "swift-nio") }
    static var nioSSL: Self { .product(name: "NIOSSL", package: "swift-nio-ssl") }
    static var otel: Self { .product(name: "OTel", package: "swift-otel") }
    static var postgresNIO: Self { .product(name: "PostgresNIO", package: "postgres-nio") }
    static var prometheus: Self { .product(name: "Prometheus", package: "swift-prometheus") }
    static var serviceLifecycle: Self { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
    static var subprocess: Self { .product(name: "Subprocess", package: "swift-subprocess") }
    static var systemPackage: Self { .product(name: "SystemPackage", package: "swift-system") }
    static var tracing: Self { .product(name: "Tracing", package: "swift-distributed-tracing") }
    static var unixSignals: Self { .product(name: "UnixSignals", package: "swift-service-lifecycle") }
    static var yams: Self { .product(name: "Yams", package: "Yams") }
}

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "shepherd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Canary", targets: ["Canary"]),
        .library(name: "ShepherdConfig", targets: ["ShepherdConfig"]),
        .library(name: "Resilience", targets: ["Resilience"]),
        .library(name: "Upstream", targets: ["Upstream"]),
        .library(name: "MockProvider", targets: ["MockProvider"]),
        .library(name: "Shepherd", targets: ["Shepherd"]),
        .library(name: "ShepherdPostgres", targets: ["ShepherdPostgres"]),
        .library(name: "ShepherdServer", targets: ["ShepherdServer"]),
        .library(name: "Operator", targets: ["Operator"]),
        .executable(name: "shepherd", targets: ["shepherd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // One atomic swap: the executable's global-executor hook (Sources/shepherd/EventLoopGlobalExecutor.swift).
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // `shepherd serve`'s configuration: flags, environment and shepherd.yaml through one ConfigReader.
        // No traits: the file is read by Shepherd's own strict walk (see ServeConfiguration+Sources.swift).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP only: the default traits would also build gRPC (grpc-swift-2, its NIO
        // transport and protobuf plugin), which Shepherd does not export with.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        // The tests' process runner (ShepherdTesting): the package's executables, tmux. No traits:
        // the runner writes output to files, so Foundation's `Data` outputs are not needed.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "Canary", swiftSettings: swiftSettings),
        .target(
            name: "ShepherdConfig",
            dependencies: ["Canary", .yams],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Resilience",
            dependencies: ["Canary"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Upstream",
            dependencies: [
                "Canary", "Resilience", .asyncHTTPClient, .nioCore, .nioHTTP1, .nioPosix, .nioSSL, .logging,
                .instrumentation,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MockProvider",
            dependencies: [
                "Canary", "Resilience", "ShepherdConfig", "Upstream", .hummingbird, .logging, .nioCore, .yams,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Shepherd",
            dependencies: [
                "Canary", "Resilience", "Upstream", .grdb, .logging, .metrics, .coreMetrics, .serviceLifecycle,
                .tracing,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ShepherdPostgres",
            dependencies: [
                "Canary", "Shepherd", .postgresNIO, .logging, .serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ShepherdServer",
            dependencies: [
                "Canary", "ShepherdConfig", "Resilience", "Upstream", "Shepherd", .hummingbird, .hummingbirdCore,
                .configuration, .nioCore, .nioPosix, .nioHTTP1, .nioHTTPTypesHTTP1, .logging, .metrics, .prometheus,
                .serviceLifecycle, .tracing, .yams,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Operator",
            dependencies: [
                "Canary", "Shepherd", .asyncHTTPClient, .nioCore, .nioFoundationCompat, .logging,
            ],
            swiftSettings: swiftSettings
        ),
        // Commits transitions until killed: the kill -9 durability test drives it.
        .executableTarget(
            name: "StoreCrashProbe", dependencies: ["Shepherd", "Canary", "ShepherdTesting"], swiftSettings: swiftSettings),
        // Streams a 10.8 MB answer through a provider in a process of its own: the streaming test's
        // peak-memory check, which other suites running in the test process would disturb.
        .executableTarget(
            name: "StreamMemoryProbe", dependencies: ["MockProvider", "Upstream"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "shepherd",
            dependencies: [
                "Canary", "ShepherdConfig", "MockProvider", "Resilience", "Upstream", "Shepherd", "ShepherdPostgres",
                "ShepherdServer", "Operator", .argumentParser, .nioCore, .nioPosix, .logging, .metrics, .prometheus,
                .serviceLifecycle, .unixSignals, .asyncHTTPClient, .otel, .tracing, .atomics,
            ],
            swiftSettings: swiftSettings
        ),
        // The properties the fuzzer checks (Tests/Fuzz): a library so that FuzzTests runs every corpus
        // file and every crash found through them on each `swift test`.
        .target(
            name: "FuzzChecks",
            dependencies: [
                "Canary", "ShepherdConfig", "Upstream", .nioCore,
            ],
            path: "Tests/FuzzChecks",
            swiftSettings: swiftSettings
        ),
        // What the test targets share (the way Hummingbird ships HummingbirdTesting): two mock
        // upstreams with clients, the test rollout, the repository's policies and scenarios, the
        // package's executables and a process runner, and the test process's one metrics bootstrap.
        .target(
            name: "ShepherdTesting",
            dependencies: [
                "Canary", "MockProvider", "Shepherd", "ShepherdConfig", "Upstream", .logging, .metrics, .prometheus,
                .subprocess, .systemPackage,
            ],
            path: "Tests/ShepherdTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzChecks"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CanaryTests", dependencies: ["Canary", "ShepherdConfig", "ShepherdTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ShepherdTests",
            dependencies: [
                "Shepherd", "ShepherdPostgres", "Canary", "Resilience", "Upstream", "MockProvider",
                "ShepherdTesting", .grdb, .logging, .serviceLifecycle, .inMemoryTracing, .tracing,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ShepherdServerTests",
            dependencies: [
                "ShepherdServer", "Shepherd", "Canary", "ShepherdConfig", "Resilience", "Upstream", "MockProvider",
                "ShepherdTesting", .asyncHTTPClient, .configuration, .hummingbird, .hummingbirdTesting, .nioCore,
                .nioPosix, .logging, .inMemoryTracing, .tracing,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OperatorTests",
            dependencies: [
                "Operator", "ShepherdServer", "Shepherd", "Canary", "Upstream", "MockProvider", "ShepherdTesting",
                .asyncHTTPClient, .hummingbird, .logging,
            ],
            // Text snapshots of the dashboard, read from the source tree (see Support/Snapshot.swift).
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Canary"], swiftSettings: swiftSettings),
        .testTarget(
            name: "UpstreamTests",
            dependencies: [
                "Upstream", "MockProvider", "Canary", "Resilience", "ShepherdConfig", "ShepherdTesting",
                .asyncHTTPClient, .hummingbird, .nioCore,
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer executable, only when asked for: it has no `main` of its own (libFuzzer brings
// one), so a plain `swift build` must not link it. Tests/Fuzz/run.sh sets SHEPHERD_FUZZ=1 and
// builds it with `--sanitize=fuzzer`.
if Context.environment["SHEPHERD_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "ShepherdFuzz",
            dependencies: ["FuzzChecks"],
            path: "Tests/Fuzz/ShepherdFuzz",
            swiftSettings: swiftSettings
        ))
}
