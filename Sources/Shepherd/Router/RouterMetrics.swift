import Canary
import CoreMetrics
import Resilience
import Synchronization

/// The router's metrics, through swift-metrics (the server exports them in Prometheus format).
///
/// Labels are bounded: `path` and `outcome` are small enums, and `model` is the requested
/// model only when the policy knows it (price table or chains), else `other`, so that a
/// client sending arbitrary model names cannot blow up the metric cardinality. No label ever
/// carries a key, a token or a user id.
struct RouterMetrics: Sendable {
    let rolloutID: String
    let knownModels: Set<String>
    /// The per-call handles, made once per label set instead of on every call.
    private let handles = MetricHandleCache()

    init(rolloutID: String, knownModels: Set<String> = []) {
        self.rolloutID = rolloutID
        self.knownModels = knownModels
    }

    func modelLabel(_ model: String) -> String {
        knownModels.isEmpty || knownModels.contains(model) ? model : "other"
    }

    func request(path: TrafficPath, model: String, outcome: FailureClass?, latency: Duration, ttft: Duration?) {
        let outcomeLabel = outcome?.rawValue ?? "success"
        handles.counter(
            "shepherd_requests_total",
            [("path", path.rawValue), ("model", modelLabel(model)), ("outcome", outcomeLabel)]
        ).increment()
        handles.timer("shepherd_request_duration_seconds", [("path", path.rawValue)])
            .recordNanoseconds(nanoseconds(latency))
        if let ttft {
            handles.timer("shepherd_time_to_first_token_seconds", [("path", path.rawValue)])
                .recordNanoseconds(nanoseconds(ttft))
        }
    }

    func usage(path: TrafficPath, model: String, input: Int, output: Int, cost: Double) {
        let model = modelLabel(model)
        handles.counter("shepherd_tokens_total", [("path", path.rawValue), ("model", model), ("direction", "input")])
            .increment(by: input)
        handles.counter("shepherd_tokens_total", [("path", path.rawValue), ("model", model), ("direction", "output")])
            .increment(by: output)
        if cost > 0 {
            handles.floatingCounter("shepherd_cost_dollars_total", [("path", path.rawValue), ("model", model)])
                .increment(by: cost)
        }
    }

    func fallback() {
        Counter(label: "shepherd_fallbacks_total").increment()
    }

    /// A relay call of `tier` answered by a later model of its chain than the first.
    func modelFallback(tier: String) {
        Counter(label: "shepherd_model_fallbacks_total", dimensions: [("tier", tier)]).increment()
    }

    /// A relay call of `tier` that started a hedge on the next model of its chain.
    func hedge(tier: String) {
        Counter(label: "shepherd_hedges_total", dimensions: [("tier", tier)]).increment()
    }

    /// A compared shadow pair: `shepherd_shadow_pairs_total{agreement}` and the relay's spend.
    func shadowPair(agrees: Bool, cost: Double) {
        Counter(
            label: "shepherd_shadow_pairs_total",
            dimensions: [("rollout", rolloutID), ("agreement", agrees ? "agree" : "differ")]
        )
        .increment()
        if cost > 0 {
            FloatingPointCounter(label: "shepherd_shadow_cost_dollars_total", dimensions: [("rollout", rolloutID)])
                .increment(by: cost)
        }
    }

    /// A ramp transition (a step, a rollback, an operator's command): the board's annotations.
    func transition(_ kind: TransitionReason.Kind) {
        Counter(label: "shepherd_ramp_transitions_total", dimensions: [("reason", kind.rawValue)]).increment()
    }

    func rollback() {
        Counter(label: "shepherd_rollbacks_total").increment()
    }

    func publish(state: RampState<WallClock.Instant>, rollbackEngaged: Bool) {
        Gauge(label: "shepherd_canary_percent").record(state.percent)
        Gauge(label: "shepherd_canary_effective_percent").record(rollbackEngaged ? 0 : state.effectivePercent)
        for phase in RampPhase.allCases {
            Gauge(label: "shepherd_rollout_phase", dimensions: [("phase", phase.rawValue)]).record(
                phase == state.phase ? 1 : 0)
        }
        Gauge(label: "shepherd_rollback_engaged").record(rollbackEngaged ? 1 : 0)
    }

    /// Whether the shared store answered the last control-loop call (1) or not (0).
    func storeReachable(_ reachable: Bool) {
        Gauge(label: "shepherd_store_reachable").record(reachable ? 1 : 0)
    }

    /// Whether this replica holds the evaluator lease.
    func isEvaluator(_ evaluator: Bool) {
        Gauge(label: "shepherd_store_evaluator").record(evaluator ? 1 : 0)
    }

    /// A write refused because this replica's lease had moved on to another holder.
    func fencedWrite() {
        Counter(label: "shepherd_store_fenced_writes_total").increment()
    }

    /// A commit refused because another writer committed the same version first.
    func versionConflict() {
        Counter(label: "shepherd_store_version_conflicts_total").increment()
    }

    /// The stored version this replica serves.
    func versionSeen(_ version: Int64) {
        Gauge(label: "shepherd_store_version").record(Double(version))
    }

    func verdict(_ verdict: HealthVerdict) {
        Gauge(label: "shepherd_health_score").record(verdict.score)
        for kind in [HealthVerdict.Kind.insufficientData, .healthy, .unhealthy] {
            Gauge(label: "shepherd_health_verdict", dimensions: [("verdict", kind.rawValue)]).record(
                kind == verdict.kind ? 1 : 0)
        }
    }

    func breakerTransition(key: String, to state: CircuitState) {
        for candidate in CircuitState.allCases {
            Gauge(
                label: "shepherd_circuit_breaker_state", dimensions: [("breaker", key), ("state", candidate.rawValue)]
            )
            .record(candidate == state ? 1 : 0)
        }
    }

    private func nanoseconds(_ duration: Duration) -> Int64 {
        Int64(duration / .nanoseconds(1))
    }
}

/// Metric handles made once per label set, on first use (after the process bootstrapped its
/// metrics backend), then shared by every call with those labels. Making a handle goes through
/// the backend's registry (a lock, a lookup, label strings): the several a call records cost
/// more than the rest of its bookkeeping. A handle is made only when first recorded, so what
/// is exported is what it was without the cache.
final class MetricHandleCache: Sendable {
    private struct Key: Hashable {
        let label: String
        let dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            // One array, sized once: a `flatMap` into pairs grew it (and made a pair array) per
            // label, twelve reallocations per short answer (`Benchmarks/callgrind-serve.sh`).
            var flat: [String] = []
            flat.reserveCapacity(dimensions.count * 2)
            for (name, value) in dimensions {
                flat.append(name)
                flat.append(value)
            }
            self.dimensions = flat
        }
    }

    private let counters = Mutex<[Key: Counter]>([:])
    private let floatingCounters = Mutex<[Key: FloatingPointCounter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        Self.handle(in: counters, Key(label, dimensions)) { Counter(label: label, dimensions: dimensions) }
    }

    func floatingCounter(_ label: String, _ dimensions: [(String, String)]) -> FloatingPointCounter {
        Self.handle(in: floatingCounters, Key(label, dimensions)) {
            FloatingPointCounter(label: label, dimensions: dimensions)
        }
    }

    func timer(_ label: String, _ dimensions: [(String, String)]) -> Timer {
        Self.handle(in: timers, Key(label, dimensions)) { Timer(label: label, dimensions: dimensions) }
    }

    private static func handle<Handle: Sendable>(
        in cache: borrowing Mutex<[Key: Handle]>, _ key: Key, make: () -> Handle
    ) -> Handle {
        cache.withLock { cache in
            if let handle = cache[key] { return handle }
            let handle = make()
            cache[key] = handle
            return handle
        }
    }
}
