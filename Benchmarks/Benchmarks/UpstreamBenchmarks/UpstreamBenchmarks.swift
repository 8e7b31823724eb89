import Benchmark
import NIOCore
import Upstream

/// What reading a request and an answer costs the proxy: the wire scan (`init(scanning:)`, one
/// pass over the bytes) against `JSONDecoder` (`init(decoding:)`), on the bodies
/// `Benchmarks/proxy-load.sh` sends and its static upstream answers.
///
/// Run: `cd Benchmarks && swift package benchmark --target UpstreamBenchmarks`
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal], scalingFactor: .kilo)

    let request = ByteBuffer(
        string: #"{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-42"}"#)
    let answer = ByteBuffer(
        string: #"""
            {"id":"chatcmpl-load","object":"chat.completion","created":1735689600,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the static upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}
            """#)

    Benchmark("request: wire scan", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(ChatRequest(scanning: request)!) }
    }
    Benchmark("request: JSONDecoder", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ChatRequest(decoding: request)) }
    }
    Benchmark("answer: wire scan", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(ChatResponse(scanning: answer)!) }
    }
    Benchmark("answer: JSONDecoder", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ChatResponse(decoding: answer)) }
    }
}
