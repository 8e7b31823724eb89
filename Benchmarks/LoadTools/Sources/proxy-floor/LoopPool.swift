import NIOCore
import NIOHTTP1
import NIOPosix

/// An upstream answer: status and body (headers other than the length are not needed here).
struct UpstreamAnswer: Sendable {
    var status: HTTPResponseStatus
    var body: ByteBuffer
}

/// Collects one response on a keep-alive connection and completes the waiting promise.
/// Lives in one channel's pipeline: every method runs on that channel's event loop.
final class AnswerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    var promise: EventLoopPromise<UpstreamAnswer>?
    private var status: HTTPResponseStatus = .ok
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            let answer = UpstreamAnswer(status: status, body: body ?? ByteBuffer())
            body = nil
            let waiting = promise
            promise = nil
            waiting?.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(ChannelError.ioOnClosedChannel)
        promise = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }
}

/// Keep-alive HTTP/1.1 connections to one upstream, one pool per event loop, used only on that
/// loop: no lock and no thread hop between the server's channel and the upstream's.
///
/// No timeouts, no retries, no TLS: the floor of what forwarding costs, not a client to ship.
final class LoopPool: Sendable {
    private let loop: any EventLoop
    private let host: String
    private let port: Int
    private let idle: NIOLoopBoundBox<[(channel: any Channel, handler: NIOLoopBound<AnswerHandler>)]>

    init(loop: any EventLoop, host: String, port: Int) {
        self.loop = loop
        self.host = host
        self.port = port
        idle = .makeBoxSendingValue([], eventLoop: loop)
    }

    /// POSTs `body` to `path`; must be called on the pool's loop.
    func post(path: String, body: ByteBuffer) -> EventLoopFuture<UpstreamAnswer> {
        loop.preconditionInEventLoop()
        let promise = loop.makePromise(of: UpstreamAnswer.self)
        let host = host
        let idle = idle
        @Sendable func send(_ channel: any Channel, _ handler: NIOLoopBound<AnswerHandler>) {
            handler.value.promise = promise
            var headers = HTTPHeaders()
            headers.add(name: "host", value: host)
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.readableBytes))
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            promise.futureResult.whenSuccess { _ in
                if channel.isActive { idle.value.append((channel, handler)) }
            }
        }
        if let (channel, handler) = idle.value.popLast() {
            send(channel, handler)
            return promise.futureResult
        }
        let loop = loop
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler())
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    let handler = try! channel.pipeline.syncOperations.handler(type: AnswerHandler.self)
                    send(channel, NIOLoopBound(handler, eventLoop: loop))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        return promise.futureResult
    }
}

/// One ``LoopPool`` per event loop of a group.
struct LoopPools: Sendable {
    private let pools: [ObjectIdentifier: LoopPool]

    init(group: MultiThreadedEventLoopGroup, host: String, port: Int) {
        var pools: [ObjectIdentifier: LoopPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = LoopPool(loop: loop, host: host, port: port)
        }
        self.pools = pools
    }

    func pool(for loop: any EventLoop) -> LoopPool { pools[ObjectIdentifier(loop)]! }

    /// From async code: on the current event loop when there is one, else hops to one.
    func post(path: String, body: ByteBuffer, group: MultiThreadedEventLoopGroup) async throws -> UpstreamAnswer {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        let pool = pool(for: loop)
        if loop.inEventLoop { return try await pool.post(path: path, body: body).get() }
        return try await loop.flatSubmit { pool.post(path: path, body: body) }.get()
    }
}
