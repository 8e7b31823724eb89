import Hummingbird
import Prometheus
import Shepherd

/// `GET /healthz`, `GET /readyz` and `GET /metrics`: for the orchestrator and the scraper.
///
/// - `/healthz` answers `200 ok` while the process serves requests (liveness).
/// - `/readyz` answers `200 ready` when the rollout store can be written (the policy was loaded
///   when the router was built, so a running app has one), else `503` with the reason
///   (readiness: take the replica out of rotation, do not restart it).
/// - `/metrics` renders the Prometheus registry the router's metrics go to, in the text
///   exposition format 0.0.4. It holds no secret: labels are paths, models and outcomes.
///
/// None of them needs a key: they reveal nothing a caller could use.
struct OpsRoutes: Sendable {
    let store: any RolloutStore
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<BasicRequestContext>, table: RouteTable) {
        router.get("healthz") { _, _ in Self.text("ok\n") }
        // Load balancers and uptime checks often probe with HEAD.
        router.head("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, _ in
            // A shared database being down must not take every replica out of the load balancer at
            // once: each keeps serving its last synced percent, and /metrics says the store is down.
            if self.store is any SharedRolloutStore { return Self.text("ready\n") }
            if await self.store.isHealthy() { return Self.text("ready\n") }
            return Self.text(
                "not ready: the rollout store cannot be written (check the database file, its disk and permissions)\n",
                status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer())))
        }
        for path in ["/healthz", "/readyz", "/metrics"] { table.record(.get, path) }
        table.record(.head, "/healthz")
    }

    private static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
