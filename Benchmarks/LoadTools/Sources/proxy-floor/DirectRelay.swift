import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The context of the `hummingbird-ahc-direct-stream` floor: Hummingbird's own, plus the channel.
struct ChannelContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Relays an upstream answer's body parts into the server channel from AsyncHTTPClient's event
/// loop callbacks: no Swift task runs per part. Hummingbird writes the head and the end; the parts
/// in between are written once `start()` says the head is out.
///
/// Every callback runs on the server channel's event loop (the request is made with
/// `.delegateAndChannel(on:)` that loop), which owns `head` and `gate`.
final class DirectRelay: HTTPClientResponseDelegate {
    typealias Response = Void
    let channel: any Channel
    let head: EventLoopPromise<HTTPResponseHead>
    let gate: EventLoopPromise<Void>

    init(channel: any Channel) {
        self.channel = channel
        head = channel.eventLoop.makePromise()
        gate = channel.eventLoop.makePromise()
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head.succeed(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let channel = channel
        return gate.futureResult.flatMap {
            channel.writeAndFlush(HTTPResponsePart.body(buffer))
        }
    }

    /// Fails whatever still waits (a completed promise ignores it), so no body part is held for a
    /// head that will never be written.
    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        head.fail(error)
        gate.fail(error)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}
}
