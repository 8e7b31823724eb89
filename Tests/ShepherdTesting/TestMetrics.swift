import Metrics
public import Prometheus

/// The test process's Prometheus registry, bootstrapped into swift-metrics on first use.
///
/// swift-metrics can be bootstrapped once per process, and that choice belongs to the program
/// (`shepherd serve` makes it in its command); a test process makes it here. The first read of
/// ``registry`` bootstraps (a `static let` initialiser runs exactly once, thread-safely); every
/// later read returns the same registry, so tests never bootstrap twice.
public enum TestMetrics {
    /// The registry `/metrics` renders in tests; reading it the first time bootstraps swift-metrics.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
