import Metrics
public import Prometheus

/// The process's Prometheus registry, bootstrapped into swift-metrics on first use.
///
/// swift-metrics can be bootstrapped once per process; this is that once. The first read of
/// ``registry`` calls `MetricsSystem.bootstrap(PrometheusMetricsFactory(registry:))` (Swift runs
/// a `static let` initialiser exactly once, thread-safely); later reads return the same
/// registry. `shepherd serve` and the tests both go through it, so neither needs to import
/// swift-metrics or bootstrap it themselves, and the two can never bootstrap twice.
///
/// ```swift
/// let app = try buildShepherdApplication(
///     router: router, store: store, configuration: configuration, registry: ShepherdMetrics.registry, logger: logger)
/// ```
///
/// Do not call `MetricsSystem.bootstrap` anywhere else in a process that reads this.
public enum ShepherdMetrics {
    /// The registry `/metrics` renders; reading it the first time bootstraps swift-metrics.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
