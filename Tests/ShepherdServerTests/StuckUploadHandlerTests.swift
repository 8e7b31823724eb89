import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ShepherdServer

/// A graceful shutdown answers a request whose body is still arriving with a 503 and closes its
/// connection; a connection between requests, or one whose request has all its body, is left to
/// finish as usual. (e2e's SIGTERM test checks the same against the real process.)
struct StuckUploadHandlerTests {
    static func channel() throws -> (EmbeddedChannel, StuckUploadHandler) {
        let handler = StuckUploadHandler()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        #expect(channel.isActive)
        return (channel, handler)
    }

    static func head(_ headers: [(String, String)]) -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/chat/completions", headers: .init(headers)))
    }

    @Test func aBodyStillArrivingIsAnswered503AndTheConnectionCloses() throws {
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(Self.head([("content-length", "1000")]))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: #"{"model":"#)))
        #expect(handler.uploading)
        handler.shutDown()
        guard case .head(let head) = try #require(try channel.readOutbound(as: HTTPServerResponsePart.self)) else {
            Issue.record("no response head")
            return
        }
        #expect(head.status == .serviceUnavailable)
        #expect(head.headers["connection"] == ["close"])
        #expect(head.headers["retry-after"] == ["1"])
        guard
            case .body(.byteBuffer(let body)) = try #require(try channel.readOutbound(as: HTTPServerResponsePart.self))
        else {
            Issue.record("no response body")
            return
        }
        let text = String(buffer: body)
        #expect(text.contains(#""code":"shutting_down""#) && text.contains("nothing was sent upstream"))
        #expect(head.headers["content-length"] == [String(body.readableBytes)])
        guard case .end = try #require(try channel.readOutbound(as: HTTPServerResponsePart.self)) else {
            Issue.record("no response end")
            return
        }
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(!handler.uploading)
    }

    @Test(arguments: [
        [("content-length", "2")], [("transfer-encoding", "chunked")],
    ])
    func aRequestWithAllItsBodyIsLeftToFinish(headers: [(String, String)]) throws {
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(Self.head(headers))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "{}")))
        #expect(handler.uploading)
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(!handler.uploading)
        handler.shutDown()
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        #expect(channel.isActive)
        // Every part still reaches the handlers after it.
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        _ = try channel.finish()
    }

    @Test func aRequestWithNoBodyIsNotAnUpload() throws {
        #expect(!StuckUploadHandler.hasBody(["content-length": "0"]))
        #expect(!StuckUploadHandler.hasBody(["host": "x"]))
        #expect(StuckUploadHandler.hasBody(["content-length": "12"]))
        #expect(StuckUploadHandler.hasBody(["Transfer-Encoding": "chunked"]))
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(Self.head([("host", "x")]))
        handler.shutDown()
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        _ = try channel.finish()
    }
}
