import AsyncHTTPClient
import Canary
import Foundation
import NIOCore
import Synchronization
import Upstream

/// The demo's synthetic clients: many users with routing keys, some streaming, sending
/// completions through the proxy as fast as it answers, and counting what a client would see.
final class DemoLoad: Sendable {
    /// What the clients saw.
    struct Tally: Sendable {
        var requests = 0
        var succeeded = 0
        /// Answers a client saw fail: a non-200 status, a broken connection or a cut stream.
        var failed = 0
        var streams = 0
        /// Relay failures answered by legacy (`x-shepherd-fallback: true`).
        var failovers = 0
        var byPath: [TrafficPath: Int] = [:]
        /// US dollars, priced from each answer's usage.
        var spendByPath: [TrafficPath: Double] = [:]
        /// The first few failures, for the summary.
        var failureSamples: [String] = []
    }

    static let models = ["gpt-4.1", "gemini-2.5-flash", "deepseek-v3.2", "claude-sonnet-4.5"]

    private let client: HTTPClient
    private let endpoint: String
    private let prices: PriceTable
    private let users: Int
    private let tally = Mutex(Tally())

    /// - Parameters:
    ///   - proxy: the proxy's base URL (`http://127.0.0.1:PORT`).
    ///   - users: distinct routing keys.
    init(proxy: String, prices: PriceTable, users: Int = 5000) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        endpoint = proxy + "/v1/chat/completions"
        self.prices = prices
        self.users = users
    }

    /// What the clients saw so far.
    var snapshot: Tally { tally.withLock { $0 } }

    /// Runs `workers` clients until the task is cancelled.
    func run(workers: Int, seed: UInt64) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ UInt64(worker))
                    while !Task.isCancelled {
                        await self.send(random: &random)
                    }
                }
            }
        }
    }

    /// Closes the HTTP client.
    func shutdown() async {
        try? await client.shutdown()
    }

    private func send(random: inout SeededGenerator) async {
        let user = "user-\(Int.random(in: 0..<users, using: &random))"
        let model = Self.models[Int.random(in: 0..<Self.models.count, using: &random)]
        let stream = Double.random(in: 0..<1, using: &random) < 0.1
        var body =
            #"{"model":"\#(model)","user":"\#(user)","messages":[{"role":"user","content":"Summarise the canary's day."}]"#
        if stream { body += #","stream":true,"stream_options":{"include_usage":true}"# }
        body += "}"
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let answer = try await response.body.collect(upTo: 4 << 20)
            let path = response.headers.first(name: "x-shepherd-path").flatMap(TrafficPath.init(rawValue:))
            let fellBack = response.headers.first(name: "x-shepherd-fallback") == "true"
            let text = String(buffer: answer)
            guard response.status == .ok, let path else {
                return record(failure: "HTTP \(response.status.code): \(text.prefix(160))", stream: stream)
            }
            guard let usage = Self.usage(text, stream: stream) else {
                return record(
                    failure: "\(stream ? "stream" : "answer") without usage or [DONE] on \(path)", stream: stream)
            }
            let cost = prices.cost(model: model, inputTokens: usage.prompt, outputTokens: usage.completion) ?? 0
            tally.withLock { tally in
                tally.requests += 1
                tally.succeeded += 1
                if stream { tally.streams += 1 }
                if fellBack { tally.failovers += 1 }
                tally.byPath[path, default: 0] += 1
                tally.spendByPath[path, default: 0] += cost
            }
        } catch {
            // Cancelled at the end of the demo: not a client-visible failure.
            if Task.isCancelled { return }
            record(failure: "\(error)", stream: stream)
        }
    }

    private func record(failure: String, stream: Bool) {
        tally.withLock { tally in
            tally.requests += 1
            tally.failed += 1
            if stream { tally.streams += 1 }
            if tally.failureSamples.count < 5 { tally.failureSamples.append(failure) }
        }
    }

    /// Token usage of a JSON answer, or of a stream that ended properly (`data: [DONE]`).
    static func usage(_ text: String, stream: Bool) -> (prompt: Int, completion: Int)? {
        struct Envelope: Decodable {
            struct Usage: Decodable {
                var promptTokens: Int
                var completionTokens: Int

                enum CodingKeys: String, CodingKey {
                    case promptTokens = "prompt_tokens"
                    case completionTokens = "completion_tokens"
                }
            }
            var usage: Usage?
        }
        let decoder = JSONDecoder()
        if !stream {
            guard let usage = try? decoder.decode(Envelope.self, from: Data(text.utf8)).usage else { return nil }
            return (usage.promptTokens, usage.completionTokens)
        }
        var usage: Envelope.Usage?
        var done = false
        for line in text.split(separator: "\n") where line.hasPrefix("data: ") {
            let payload = line.dropFirst(6)
            if payload == "[DONE]" {
                done = true
            } else if payload.contains("\"usage\""),
                let found = try? decoder.decode(Envelope.self, from: Data(payload.utf8)).usage
            {
                usage = found
            } else if payload.contains("\"error\"") {
                return nil
            }
        }
        guard done, let usage else { return nil }
        return (usage.promptTokens, usage.completionTokens)
    }
}
