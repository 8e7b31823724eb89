// swift-tools-version: 6.1
// Benchmarks live in their own package so that the product's build and tests
// never compile the benchmark harness (and its malloc interposer).
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "ShepherdBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "shepherd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "CanaryBenchmarks",
            dependencies: [
                .product(name: "Canary", package: "shepherd"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CanaryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ResilienceBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: "shepherd"),
                .product(name: "Canary", package: "shepherd"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ResilienceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "UpstreamBenchmarks",
            dependencies: [
                .product(name: "Upstream", package: "shepherd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/UpstreamBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
