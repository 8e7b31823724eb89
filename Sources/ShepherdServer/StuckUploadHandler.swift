import NIOCore
import NIOHTTP1
import Upstream

/// Ends a request whose body is still arriving when the server shuts down gracefully: it answers
/// 503 `shutting_down` itself and closes the connection.
///
/// A client that sent a head and part of a body, then nothing, would otherwise hold the shutdown
/// for the whole grace period, for a request that was never going to reach an upstream. The
/// handler sits in the connection's pipeline and knows, on its event loop, whether a body is in
/// flight; ``ShepherdHTTP1Channel`` calls ``shutDown()`` there once per connection when the
/// shutdown begins. This costs nothing per request: the earlier way, a body read raced against
/// the shutdown (`cancelWhenGracefulShutdown`), started two child tasks for every request, about
/// 4% of a short answer's throughput.
final class StuckUploadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether a request's head has come with a body that has not ended yet.
    private(set) var uploading = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): uploading = Self.hasBody(head.headers)
        case .body: break
        case .end: uploading = false
        }
        context.fireChannelRead(data)
    }

    /// A request with a body: a `Content-Length` other than 0, or a `Transfer-Encoding`.
    static func hasBody(_ headers: HTTPHeaders) -> Bool {
        if headers.contains(name: "transfer-encoding") { return true }
        return headers.first(name: "content-length").map { $0 != "0" } ?? false
    }

    /// When a body is in flight: answers 503 `shutting_down` (nothing was sent upstream, so the
    /// caller can send it again) and closes. Call on the channel's event loop.
    func shutDown() {
        guard uploading, let context else { return }
        uploading = false
        let error = OpenAIError.shuttingDown()
        let body = JSONBody.encode(error.envelope)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        for field in error.headers { headers.add(name: field.name.rawName, value: field.value) }
        let head = HTTPResponseHead(
            version: .http1_1, status: .init(statusCode: error.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
}
