import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An OpenAI-compatible streaming upstream on NIO alone.
///
/// `POST /v1/chat/completions` with `"stream":true` answers `text/event-stream` (chunked, kept
/// alive): `chunks` content events `{"delta":{"content":"word "}}` spaced by `interval-ms` on the
/// event loop's timers, then after one more interval the `finish_reason:"stop"` event, a usage-only
/// event when the body holds `"include_usage":true`, and `data: [DONE]`. A body with
/// `"max_tokens":N` gets N content events instead of `chunks` (Benchmarks/callgrind-serve.sh asks
/// for two lengths through one proxy to tell a chunk's cost from a stream's). Without `"stream":true`
/// it answers a short chat.completion. `GET /v1/models` answers a model list (readiness checks).
enum UpstreamServer {
    static let usage = "--port P [--host 127.0.0.1] [--chunks 20] [--interval-ms 50] [--threads 2]"

    static func run(_ options: Options) {
        let host = options.string("host", "127.0.0.1")
        let port = options.int("port", 0)
        let settings = StreamSettings(
            chunks: max(0, options.int("chunks", 20)),
            interval: .nanoseconds(Int64(options.double("interval-ms", 50) * 1_000_000)))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.int("threads", 2)))
        do {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 4096)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(StreamingHandler(settings: settings))
                    }
                }
                .bind(host: host, port: port).wait()
            print("stream-load upstream on \(channel.localAddress.map { "\($0)" } ?? "?"): "
                + "\(settings.chunks) chunks, \(settings.interval.nanoseconds / 1_000_000) ms apart")
            fflush(nil)
            try channel.closeFuture.wait()
        } catch {
            fail("upstream: \(error)")
        }
    }
}

struct StreamSettings: Sendable {
    var chunks: Int
    var interval: TimeAmount
}

/// The fixed event bytes, built once.
enum Events {
    static let content = buffer(
        #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}],"usage":null}"#
            + "\n\n")
    static let stop = buffer(
        #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#
            + "\n\n")
    static let usage = buffer(
        #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}"#
            + "\n\n")
    static let done = buffer("data: [DONE]\n\n")
    static let completion = buffer(
        #"{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"word word word"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}"#
    )
    static let models = buffer(
        #"{"object":"list","data":[{"id":"gpt-4.1","object":"model","created":1,"owned_by":"stream-load"}]}"#)
    static let notFound = buffer(#"{"error":{"message":"not found","type":"invalid_request_error"}}"#)

    private static func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

/// One connection's requests, one at a time (the server pipeline holds pipelined ones back).
/// Runs on its channel's event loop only.
final class StreamingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let settings: StreamSettings
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var pending: Scheduled<Void>?

    init(settings: StreamSettings) { self.settings = settings }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let keepAlive = head.isKeepAlive
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.POST, "/v1/chat/completions"):
            let text = body.getString(at: body.readerIndex, length: body.readableBytes) ?? ""
            if text.contains(#""stream":true"#) || text.contains(#""stream": true"#) {
                let usage = text.contains(#""include_usage":true"#) || text.contains(#""include_usage": true"#)
                let chunks = Self.maxTokens(in: text) ?? settings.chunks
                startStream(context: context, keepAlive: keepAlive, usage: usage, chunks: chunks)
            } else {
                sendWhole(context: context, status: .ok, body: Events.completion, keepAlive: keepAlive)
            }
        case (.GET, "/v1/models"):
            sendWhole(context: context, status: .ok, body: Events.models, keepAlive: keepAlive)
        default:
            sendWhole(context: context, status: .notFound, body: Events.notFound, keepAlive: keepAlive)
        }
    }

    private func sendWhole(context: ChannelHandlerContext, status: HTTPResponseStatus, body: ByteBuffer, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    /// The integer after `"max_tokens":` (one optional space), if the body has one.
    static func maxTokens(in text: String) -> Int? {
        let parts = text.split(separator: #""max_tokens":"#, maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return Int(parts[1].drop(while: { $0 == " " }).prefix(while: \.isNumber))
    }

    private func startStream(context: ChannelHandlerContext, keepAlive: Bool, usage: Bool, chunks: Int) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/event-stream")
        headers.add(name: "cache-control", value: "no-cache")
        headers.add(name: "transfer-encoding", value: "chunked")
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        step(context: context, sent: 0, chunks: chunks, keepAlive: keepAlive, usage: usage)
    }

    /// Schedules the next event `interval` from now: content while `sent < chunks`, then the stop
    /// event, the usage event and [DONE] together.
    private func step(context: ChannelHandlerContext, sent: Int, chunks: Int, keepAlive: Bool, usage: Bool) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pending = context.eventLoop.scheduleTask(in: settings.interval) {
            let (handler, context) = bound.value
            handler.pending = nil
            guard context.channel.isActive else { return }
            if sent < chunks {
                context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(Events.content))), promise: nil)
                handler.step(context: context, sent: sent + 1, chunks: chunks, keepAlive: keepAlive, usage: usage)
            } else {
                context.write(handler.wrapOutboundOut(.body(.byteBuffer(Events.stop))), promise: nil)
                if usage { context.write(handler.wrapOutboundOut(.body(.byteBuffer(Events.usage))), promise: nil) }
                context.write(handler.wrapOutboundOut(.body(.byteBuffer(Events.done))), promise: nil)
                let done = context.writeAndFlush(handler.wrapOutboundOut(.end(nil)))
                if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.cancel()
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending?.cancel()
        pending = nil
        context.close(promise: nil)
    }
}
