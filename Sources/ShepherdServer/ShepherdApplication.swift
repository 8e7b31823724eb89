public import Hummingbird
public import Logging
import NIOCore
public import Prometheus
public import Resilience
public import Shepherd

/// Builds the HTTP application of `shepherd serve`: the OpenAI-compatible proxy, the admin
/// API and the operations endpoints, over a ``MigrationRouter``.
///
/// Routes:
///
/// - `POST /v1/chat/completions` (server-sent events when `"stream": true`), `POST /v1/embeddings`,
///   `GET /v1/models`: routed by the canary split, answered in the OpenAI shape with
///   `x-shepherd-path`, `x-shepherd-fallback` and `x-shepherd-model`; behind the client keys when
///   there are any.
/// - `GET /healthz`, `GET /readyz`, `GET /metrics` (Prometheus text 0.0.4): open.
/// - `/admin/…` behind `Authorization: Bearer <adminToken>`; absent (404) without an admin token.
///
/// With a tracer bootstrapped (`InstrumentationSystem`), each request is a server span that
/// continues the caller's W3C `traceparent` (Hummingbird's `TracingMiddleware`), and a proxied
/// call's span carries its routing, models, tokens and cost (``GenAIAttribute``,
/// ``ShepherdAttribute``) with the router's attempt spans as children.
///
/// Every error is an OpenAI error envelope; one line per request is logged at `debug`, at
/// `warning` for a 5xx (never a key, a token or a header). The application is a
/// swift-service-lifecycle `Service`: run it in the `ServiceGroup` that also runs
/// `router.controller` (the rollout's evaluations) so that SIGTERM drains it.
///
/// ```swift
/// let registry = PrometheusCollectorRegistry()
/// MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))   // once per process
/// let app = try buildShepherdApplication(
///     router: router, store: store, configuration: serverConfiguration, registry: registry, logger: logger)
/// let group = ServiceGroup(services: [router.controller, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
///
/// - Parameters:
///   - router: routes every call; its controller steers the rollout.
///   - store: the router's store, asked for health by `/readyz`.
///   - configuration: address, limits, admin token and client keys.
///   - registry: the Prometheus registry the process's metrics go to (bootstrapped by the caller).
///   - logger: where the server logs (request lines at `debug`, 5xx at `warning`).
///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
/// - Returns: the application; call `run()`/`runService()` or add it to a `ServiceGroup`.
/// - Throws: ``ServerConfigurationError`` when the configuration must not run (see
///   ``ServerConfiguration/validate()``), e.g. a non-loopback address with no client keys.
public func buildShepherdApplication<C: DeadlineClock>(
    router: MigrationRouter<C>,
    store: any RolloutStore,
    configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol where C.Duration == Duration {
    try configuration.validate()
    let secrets = configuration.clientKeys + (configuration.adminToken.map { [$0] } ?? [])
    let table = RouteTable()
    let http = Router(context: BasicRequestContext.self)
    let serverSpan = ServerSpan.current()
    if serverSpan.isOn {
        // Outermost, so that the request line is logged inside the span (its trace id) and the
        // span sees the status the error middleware answered with. Off, it is not added at all:
        // tracing off costs nothing per request. Headers are never recorded.
        http.add(middleware: TracingMiddleware())
    }
    http.add(middleware: RequestLogMiddleware())
    http.add(middleware: OpenAIErrorMiddleware(routes: table, secrets: secrets))

    OpsRoutes(store: store, registry: registry).register(on: http, table: table)

    let v1 = http.group("v1")
    if !configuration.clientKeys.isEmpty {
        v1.add(
            middleware: BearerAuthMiddleware(
                secrets: configuration.clientKeys,
                failure: .unauthorized(
                    "Incorrect or missing API key. Send one of Shepherd's client keys as `Authorization: Bearer KEY`."))
        )
    }
    ProxyRoutes(router: router, maxBodyBytes: configuration.maxBodyBytes, serverSpan: serverSpan).register(
        on: v1, table: table)

    if let adminToken = configuration.adminToken {
        let admin = http.group("admin")
            .add(
                middleware: BearerAuthMiddleware(
                    secrets: [adminToken],
                    failure: .unauthorized(
                        "Incorrect or missing admin token. Send the admin token (SHEPHERD_ADMIN_TOKEN) as "
                            + "`Authorization: Bearer TOKEN`.")))
        AdminRoutes(router: router).register(on: admin, table: table)
    }

    return Application(
        router: http,
        server: .shepherdHTTP1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil,
            // Thousands of clients each holding a stream connect in bursts: Hummingbird's default
            // accept queue of 256 overflowed at 2,000 (connections reset, streams cut). The
            // kernel caps this at net.core.somaxconn (4096 on current kernels).
            backlog: 4096,
            availableConnectionsDelegate: ConnectionCap(
                maxConnections: configuration.maxConnections, logger: Logger(label: "shepherd.listener"))),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
