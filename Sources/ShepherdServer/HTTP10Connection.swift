import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import ServiceLifecycle

/// Answers an HTTP/1.0 request as HTTP/1.0 and closes the connection after it.
///
/// Hummingbird's HTTP/1 channel converts every request to `HTTPRequest`, which has no version, so
/// a 1.0 client got an `HTTP/1.1` status line and a connection kept open that it never asked for
/// (1.0 closes by default; a streamed answer to it is delimited by the close). This handler sits
/// before that conversion: it marks a 1.0 request `Connection: close`, which makes Hummingbird
/// close after the answer, and writes that answer's head as `HTTP/1.0` with `Connection: close`.
/// HTTP/1.0 keep-alive, an old extension, is not offered.
final class HTTP10ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether the request being answered came as HTTP/1.0 (the connection ends after it).
    private var answeringHTTP10 = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data), head.version == .http1_0 {
            answeringHTTP10 = true
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if answeringHTTP10, case .head(var head) = unwrapOutboundIn(data) {
            head.version = .http1_0
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        }
        context.write(data, promise: promise)
    }
}

/// Hummingbird's HTTP/1 channel with ``HTTP10ConnectionHandler`` and ``StuckUploadHandler`` in
/// front of its conversion to HTTP types.
struct ShepherdHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
            try operations.addHandler(HTTP10ConnectionHandler(), position: .before(codec))
            // After the 1.0 handler, so that a 503 it writes to a 1.0 client goes out as 1.0.
            try operations.addHandler(StuckUploadHandler(), position: .before(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        let channel = value.channel
        await withGracefulShutdownHandler {
            await base.handle(value: value, logger: logger)
        } onGracefulShutdown: {
            channel.eventLoop.execute {
                try? channel.pipeline.syncOperations.handler(type: StuckUploadHandler.self).shutDown()
            }
        }
    }
}

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1 server, answering HTTP/1.0 clients as HTTP/1.0.
    static func shepherdHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            ShepherdHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
