import Logging
import NIOCore
import NIOPosix
import Shepherd
import Synchronization
import Testing
import Upstream

@testable import ShepherdServer

/// The listener does not keep silent connections for ever, and says when it is full.
@Suite(.timeLimit(.minutes(1)))
struct ListenerLimitsTests {
    static let quick = ServerConfiguration(port: 0, adminToken: Secret(adminToken), idleTimeout: .seconds(1))

    /// Opens a raw connection, sends `bytes`, and waits for the server to close it (the suite's
    /// time limit bounds the wait: a server that keeps the connection fails the test).
    static func serverCloses(port: Int, after bytes: String, thenHalfClose: Bool = false) async throws -> String {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collect(received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: bytes)).get()
        if thenHalfClose { try await channel.close(mode: .output).get() }
        try await channel.closeFuture.get()
        return received.text.withLock { $0 }
    }

    final class Received: Sendable {
        let text = Mutex("")
    }

    final class Collect: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.text.withLock { $0 += String(buffer: buffer) }
        }
    }

    @Test func aClientThatNeverFinishesItsRequestHeadIsDisconnected() async throws {
        try await ServerHarness.with(server: Self.quick) { h in
            let port = try #require(h.client.port)
            let answer = try await Self.serverCloses(port: port, after: "GET /healthz HTTP/1.1\r\nHost: loc")
            #expect(answer.isEmpty, "a half-sent head gets no answer, only the close")
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsAnswer() async throws {
        try await ServerHarness.with(server: Self.quick) { h in
            let port = try #require(h.client.port)
            let answer = try await Self.serverCloses(
                port: port, after: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200"), "the request is answered first: \(answer)")
        }
    }

    @Test func aBodyShorterThanItsContentLengthIsA400NotAnUnhandledError() async throws {
        // The half-close ends the body, not the idle timeout: a long one keeps a loaded machine
        // from closing the connection before the server has read what was sent.
        let patient = ServerConfiguration(port: 0, adminToken: Secret(adminToken), idleTimeout: .seconds(40))
        try await ServerHarness.with(server: patient) { h in
            let port = try #require(h.client.port)
            let answer = try await Self.serverCloses(
                port: port,
                after: "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"model\":",
                thenHalfClose: true)
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
            #expect(answer.contains("malformed_request"))
            #expect(!h.logs.lines.contains { $0.contains("unhandled error") })
        }
    }

    /// An HTTP/1.0 client gets an HTTP/1.0 answer and the close it expects, not an HTTP/1.1 answer
    /// on a connection kept open (the idle timeout here is longer than the suite's time limit, so
    /// only the close that belongs to HTTP/1.0 ends the wait).
    @Test(arguments: [
        "GET /healthz HTTP/1.0\r\n\r\n",
        "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    ])
    func anHTTP10RequestIsAnsweredAsHTTP10AndTheConnectionCloses(request: String) async throws {
        let patient = ServerConfiguration(port: 0, adminToken: Secret(adminToken), idleTimeout: .seconds(600))
        try await ServerHarness.with(server: patient) { h in
            let port = try #require(h.client.port)
            let answer = try await Self.serverCloses(port: port, after: request)
            #expect(answer.hasPrefix("HTTP/1.0 "), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            #expect(!answer.contains("HTTP/1.1"))
        }
    }

    @Test func anHTTP11ConnectionIsStillKeptOpenForTheNextRequest() async throws {
        let patient = ServerConfiguration(port: 0, adminToken: Secret(adminToken), idleTimeout: .seconds(600))
        try await ServerHarness.with(server: patient) { h in
            let port = try #require(h.client.port)
            // The second request asks for the close, so only it ends the wait.
            let answer = try await Self.serverCloses(
                port: port,
                after:
                    "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            #expect(
                answer.components(separatedBy: "HTTP/1.1 200").count == 3,
                "both requests answered on one connection: \(answer)")
            #expect(!answer.contains("HTTP/1.0"))
        }
    }

    @Test func theCapStopsAcceptingAtItsLimitAndSaysSoOncePerCrossing() {
        let logs = LogCapture()
        var cap = ConnectionCap(maxConnections: 2, logger: logs.logger("shepherd.listener"))
        cap.connectionOpened()
        #expect(cap.isAcceptingNewConnections())
        cap.connectionOpened()
        #expect(!cap.isAcceptingNewConnections())
        #expect(logs.lines.filter { $0.contains("connection cap reached: 2") }.count == 1)
        cap.connectionClosed()
        #expect(cap.isAcceptingNewConnections())
        #expect(logs.lines.contains { $0.contains("below the connection cap again") })
        cap.connectionOpened()
        #expect(logs.lines.filter { $0.contains("connection cap reached") }.count == 2)
        #expect(ConnectionCap.defaultMaximum() >= 16)
    }
}
