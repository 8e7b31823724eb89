import NIOCore
import Testing
import Upstream

/// The incremental event-stream parser, fed in pieces of every size.
struct ServerSentEventParserTests {
    static let expected: [ServerSentEvent] = [
        ServerSentEvent(data: #"{"a":1}"#),
        ServerSentEvent(event: "message_start", data: "first line\nsecond line", id: "7"),
        ServerSentEvent(data: "[DONE]", id: "7", retry: 3000),
    ]

    /// The same stream with each line ending, a comment, a field without a space and an unknown field.
    static func body(lineEnding eol: String) -> [UInt8] {
        let text = [
            ": keep-alive comment", #"data: {"a":1}"#, "", "event: message_start", "id: 7", "data: first line",
            "data:second line", "unknown: ignored", "", ":another comment", "retry: 3000", "data: [DONE]", "", "",
        ].joined(separator: eol)
        return Array(text.utf8)
    }

    static let lineEndings = ["\n", "\r\n", "\r"]

    @Test(arguments: lineEndings)
    func wholeBodyParsesIntoTheExpectedEvents(lineEnding: String) throws {
        var parser = ServerSentEventParser()
        let events = try parser.parse(Self.body(lineEnding: lineEnding))
        #expect(events == Self.expected)
        #expect(parser.commentCount == 2)
        #expect(!parser.hasPartialEvent)
    }

    @Test(arguments: lineEndings)
    func framesSplitAtEveryByteOffsetGiveTheSameEvents(lineEnding: String) throws {
        let body = Self.body(lineEnding: lineEnding)
        for offset in 0...body.count {
            var parser = ServerSentEventParser()
            var events = try parser.parse(body[..<offset])
            events += try parser.parse(body[offset...])
            #expect(events == Self.expected, "split at \(offset) (\(lineEnding.debugDescription))")
        }
    }

    @Test(arguments: lineEndings)
    func oneByteAtATimeGivesTheSameEvents(lineEnding: String) throws {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in Self.body(lineEnding: lineEnding) {
            events += try parser.parse(ByteBuffer(bytes: [byte]))
        }
        #expect(events == Self.expected)
    }

    @Test func crlfSplitBetweenReadsIsOneLineEnd() throws {
        var parser = ServerSentEventParser()
        var events = try parser.parse(Array("data: a\r".utf8))
        events += try parser.parse(Array("\ndata: b\r".utf8))
        events += try parser.parse(Array("\n\r\n".utf8))
        #expect(events == [ServerSentEvent(data: "a\nb")])
    }

    @Test func eventWithoutDataIsNotDispatched() throws {
        var parser = ServerSentEventParser()
        let events = try parser.parse(Array("event: ping\n\ndata: x\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "x")])
    }

    @Test func cutMidEventLeavesAPartialEvent() throws {
        var parser = ServerSentEventParser()
        let events = try parser.parse(Array("data: one\n\ndata: tw".utf8))
        #expect(events.map(\.data) == ["one"])
        #expect(parser.hasPartialEvent)
    }

    @Test func bufferIsBoundedByTheLargestEvent() throws {
        var parser = ServerSentEventParser(maxEventBytes: 1_000)
        let event = Array(("data: " + String(repeating: "x", count: 900) + "\n\n").utf8)
        for _ in 0..<100 { _ = try parser.parse(event) }
        #expect(parser.maxBufferedBytes <= 1_000)
        #expect(parser.bufferedBytes == 0)
        #expect(throws: ServerSentEventParser.EventTooLarge.self) {
            try parser.parse(Array(("data: " + String(repeating: "y", count: 2_000)).utf8))
        }
    }
}
