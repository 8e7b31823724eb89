import NIOCore

/// Notices that the client left while a stream is being written.
///
/// Hummingbird allows remote half-closure, so a client closing its end does not
/// close the channel until the next write fails; a stalled stream writes
/// nothing. This handler, put first in the pipeline for the duration of one
/// stream, reports the input side closing (or the channel going inactive).
final class ClientDepartureWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private let onDeparture: @Sendable () -> Void

    init(onDeparture: @escaping @Sendable () -> Void) {
        self.onDeparture = onDeparture
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { onDeparture() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onDeparture()
        context.fireChannelInactive()
    }
}
