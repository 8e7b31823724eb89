// The hot path of the canary core: one routing decision plus one health-window record.
//
// Target (issue #2): ≤ 100 ns per decision+record on one core.
// Run: cd Benchmarks && swift package benchmark --target CanaryBenchmarks
import Benchmark
import Canary

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .instructions],
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    Benchmark("route keyed request + record outcome") { benchmark in
        let split = TrafficSplit(rolloutID: "default-migration")
        let window = HealthWindow(clock: ContinuousClock())
        let keys = (0..<4096).map { "user-\($0)" }
        let ok = CallOutcome(.success, latency: .milliseconds(420), inputTokens: 500, outputTokens: 250, cost: 0.002)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let path = split.path(forKey: keys[i & 4095], percent: 25.3125)
            window.record(ok, on: path)
        }
        benchmark.stopMeasurement()
        blackHole(window.snapshot(of: .relay).requests)
    }

    Benchmark("route keyed request + record outcome at the call's end instant") { benchmark in
        // The router reads the clock when a call ends to measure its latency; it hands that
        // instant to the window instead of reading the clock a second time.
        let clock = ContinuousClock()
        let split = TrafficSplit(rolloutID: "default-migration")
        let window = HealthWindow(clock: clock)
        let keys = (0..<4096).map { "user-\($0)" }
        let ok = CallOutcome(.success, latency: .milliseconds(420), inputTokens: 500, outputTokens: 250, cost: 0.002)
        let end = clock.now
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let path = split.path(forKey: keys[i & 4095], percent: 25.3125)
            window.record(ok, on: path, at: end)
        }
        benchmark.stopMeasurement()
        blackHole(window.snapshot(of: .relay).requests)
    }

    Benchmark("ContinuousClock.now (for reference)") { benchmark in
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(clock.now)
        }
    }

    Benchmark("route unkeyed request (seeded random) + record outcome") { benchmark in
        let split = TrafficSplit(rolloutID: "default-migration")
        let window = HealthWindow(clock: ContinuousClock())
        var rng = SeededGenerator(seed: 1)
        let ok = CallOutcome(.success, latency: .milliseconds(420), inputTokens: 500, outputTokens: 250, cost: 0.002)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let path = split.path(forKey: nil, percent: 25.3125, using: &rng)
            window.record(ok, on: path)
        }
        benchmark.stopMeasurement()
        blackHole(window.snapshot(of: .relay).requests)
    }

    Benchmark("routing decision only (keyed)") { benchmark in
        let split = TrafficSplit(rolloutID: "default-migration")
        let keys = (0..<4096).map { "user-\($0)" }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            blackHole(split.path(forKey: keys[i & 4095], percent: 25.3125))
        }
    }

    Benchmark("health evaluation (snapshot + scorer)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let clock = ContinuousClock()
        let window = HealthWindow(clock: clock)
        for i in 0..<20_000 {
            let outcome: CallOutcome =
                i % 100 == 0
                ? CallOutcome(.failure(.serverError), latency: .milliseconds(5))
                : CallOutcome(.success, latency: .milliseconds(Int64(300 + i % 900)))
            window.record(outcome, on: i % 4 == 0 ? .relay : .legacy)
        }
        let scorer = HealthScorer()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(scorer.evaluate(window.snapshot()))
        }
    }
}
