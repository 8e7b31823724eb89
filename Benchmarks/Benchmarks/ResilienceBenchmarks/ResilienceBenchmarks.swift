import Benchmark
import Canary
import Resilience

/// The cost the resilience layer adds to every successful call: one breaker check
/// (acquire + onSuccess on a closed breaker, each reading the clock and taking the
/// breaker's lock) plus one budget check and success record (atomic load / no-op CAS).
///
/// Run: `cd Benchmarks && swift package benchmark --target ResilienceBenchmarks`
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)

    Benchmark(
        "breaker+budget check (success path)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        let breaker = try CircuitBreaker(name: "bench")
        let budget = try RetryBudget()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let permit = try breaker.acquire()
            blackHole(budget.allowsRetry)
            breaker.onSuccess(permit, duration: .milliseconds(350))
            budget.recordSuccess()
        }
    }

    Benchmark(
        "jittered back-off delay (full jitter, seeded)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        let backoff = Backoff()
        var generator = SeededGenerator(seed: 1)
        for index in benchmark.scaledIterations {
            blackHole(backoff.delay(forRetry: index % 8 + 1, previous: nil, using: &generator))
        }
    }

    Benchmark(
        "retry executor, first attempt succeeds (no deadlines)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        let executor = try RetryExecutor(
            deadlines: .none, budget: try RetryBudget(), breaker: try CircuitBreaker(name: "bench"))
        for index in benchmark.scaledIterations {
            blackHole(try await executor.execute { _ in index })
        }
    }
}
