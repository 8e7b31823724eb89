// proxy-floor MODE PORT [UPSTREAM_PORT]
//
// Listens on 127.0.0.1:PORT and answers POST /v1/chat/completions, with no routing, no
// recording and no checks, in one of these ways:
//   hummingbird-static  Hummingbird answers a fixed completion itself (no upstream)
//   hummingbird-ahc     Hummingbird forwards to the upstream with AsyncHTTPClient (Shepherd's stack)
//   hummingbird-ahc-stream  the same, but the answer's body streams through part by part as
//                       AsyncHTTPClient reads it (Benchmarks/stream-load.sh's `floor` target: what a
//                       streamed chunk costs on Shepherd's stack with none of Shepherd's work)
//   hummingbird-ahc-direct-stream  the streaming floor another way: AsyncHTTPClient's delegate API on
//                       the server channel's event loop writes each body part straight into that
//                       channel (Hummingbird still routes and writes the head and the end), so no
//                       Swift task runs per part (DirectRelay.swift). Measured slower per chunk than
//                       hummingbird-ahc-stream (README, Benchmarks): kept to show it
//   hummingbird-nio     Hummingbird forwards with a per-event-loop NIO keep-alive pool
//   nio-nio             a NIO channel handler forwards with the same pool, all on the event loop
// Each runs Swift concurrency on NIO's event loops as `shepherd serve` does (GenericJobs.swift);
// PROXY_FLOOR_EVENT_LOOP_EXECUTOR=nio uses NIO's own takeover instead, =0 neither.
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3, let port = Int(arguments[2]) else {
    print("usage: proxy-floor hummingbird-static|hummingbird-ahc|hummingbird-ahc-stream|hummingbird-ahc-direct-stream|hummingbird-nio|nio-nio PORT [UPSTREAM_PORT]")
    exit(64)
}
let mode = arguments[1]
let upstreamPort = arguments.count > 3 ? Int(arguments[3]) : nil
if mode != "hummingbird-static" && upstreamPort == nil {
    print("proxy-floor: \(mode) needs UPSTREAM_PORT")
    exit(64)
}
switch getenv("PROXY_FLOOR_EVENT_LOOP_EXECUTOR").map({ String(cString: $0) }) {
case "0": break
case "nio": _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
default: _ = GenericJobsOnEventLoops.install()
}

enum Floor {
    static let path = "/v1/chat/completions"
    static let fixedAnswer = ByteBuffer(
        string:
            #"{"id":"chatcmpl-floor","object":"chat.completion","created":1735689600,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the floor."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}"#
    )

    static func respond(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
let path = Floor.path
let group = MultiThreadedEventLoopGroup.singleton

/// The NIO server's handler: forwards each request through the loop's pool and writes the answer.
/// In one channel's pipeline: every method runs on that channel's event loop.
final class ForwardHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pool: LoopPool
    private var body = ByteBuffer()

    init(pool: LoopPool) { self.pool = pool }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            pool.post(path: Floor.path, body: body).whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let answer):
                    handler.respond(context, status: answer.status, body: answer.body)
                case .failure:
                    handler.respond(context, status: .badGateway, body: ByteBuffer(string: "{}"))
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, body: ByteBuffer) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// The floor's server, run in a task while the main thread waits in its run loop (not an async
/// top level: Swift's async entry point parks the main thread with `dispatchMain()`, under which
/// valgrind 3.19 dies before the first line runs; Benchmarks/callgrind-serve.sh counts this
/// floor's instructions as it counts `shepherd serve`'s, whose entry point does the same).
func runFloor() async throws {
    switch mode {
    case "hummingbird-ahc-direct-stream":
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 4096
        let ahc = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let router = Router(context: ChannelContext.self)
        let url = "http://127.0.0.1:\(upstreamPort!)\(path)"
        router.post(RouterPath(path)) { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            let upstream = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .byteBuffer(body))
            let relay = DirectRelay(channel: context.channel)
            let task = ahc.execute(
                request: upstream, delegate: relay, eventLoop: .delegateAndChannel(on: context.channel.eventLoop),
                deadline: .now() + .seconds(120))
            let head = try await relay.head.futureResult.get()
            let contentType = head.headers.first(name: "content-type") ?? "application/json"
            return Response(
                status: .init(code: Int(head.status.code)),
                headers: [.contentType: contentType, .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    relay.gate.succeed()
                    try await task.futureResult.get()
                    try await writer.finish(nil)
                })
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil, backlog: 4096))
        print("proxy-floor \(mode) listening on 127.0.0.1:\(port)")
        try await app.runService()
        try await ahc.shutdown().get()

    case "nio-nio":
        let pools = LoopPools(group: group, host: "127.0.0.1", port: upstreamPort!)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ForwardHandler(pool: pools.pool(for: channel.eventLoop)))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        print("proxy-floor \(mode) listening on 127.0.0.1:\(port)")
        try await server.closeFuture.get()

    case "hummingbird-static", "hummingbird-ahc", "hummingbird-ahc-stream", "hummingbird-nio":
        let router = Router()
        let client: HTTPClient?
        switch mode {
        case "hummingbird-static":
            client = nil
            router.post(RouterPath(path)) { request, _ -> Response in
                _ = try await request.body.collect(upTo: 1 << 20)
                return Floor.respond(Floor.fixedAnswer, status: .ok)
            }
        case "hummingbird-ahc", "hummingbird-ahc-stream":
            // The streaming floor gets as many connections as `shepherd serve` allows per path, so
            // that no stream queues.
            let streams = mode == "hummingbird-ahc-stream"
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = streams ? 4096 : 128
            let ahc = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            client = ahc
            let url = "http://127.0.0.1:\(upstreamPort!)\(path)"
            router.post(RouterPath(path)) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                var upstream = HTTPClientRequest(url: url)
                upstream.method = .POST
                upstream.headers.add(name: "content-type", value: "application/json")
                upstream.body = .bytes(body)
                let answer = try await ahc.execute(upstream, timeout: .seconds(streams ? 120 : 30))
                guard streams else {
                    let bytes = try await answer.body.collect(upTo: 1 << 20)
                    return Floor.respond(bytes, status: .init(code: Int(answer.status.code)))
                }
                let contentType = answer.headers.first(name: "content-type") ?? "application/json"
                return Response(
                    status: .init(code: Int(answer.status.code)),
                    headers: [.contentType: contentType, .cacheControl: "no-cache"],
                    body: ResponseBody(asyncSequence: answer.body))
            }
        default:
            client = nil
            let pools = LoopPools(group: group, host: "127.0.0.1", port: upstreamPort!)
            router.post(RouterPath(path)) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                let answer = try await pools.post(path: Floor.path, body: body, group: group)
                return Floor.respond(answer.body, status: .init(code: Int(answer.status.code)))
            }
        }
        // The streaming floor holds thousands of connections opened in bursts: the accept queue
        // `shepherd serve` uses (Hummingbird's default of 256 overflows at 2,000).
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname("127.0.0.1", port: port), serverName: nil,
                backlog: mode == "hummingbird-ahc-stream" ? 4096 : 256))
        print("proxy-floor \(mode) listening on 127.0.0.1:\(port)")
        try await app.runService()
        if let client { try await client.shutdown().get() }

    default:
        print("proxy-floor: unknown mode \(mode)")
        exit(64)
    }
}

Task.detached {
    do {
        try await runFloor()
        exit(0)
    } catch {
        print("proxy-floor: \(error)")
        exit(1)
    }
}
while true { RunLoop.main.run() }
