import Foundation
import Logging
import ShepherdServer
import Synchronization
import Testing
import Upstream

struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func sink() -> JSONLogHandler.Sink { { line in self.lines.withLock { $0.append(line) } } }
    }

    func objects(_ lines: Lines) throws -> [[String: Any]] {
        try lines.all.map { line in
            #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line per record")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func eachRecordIsOneJSONObjectWithTimeLevelMessageAndFlattenedMetadata() throws {
        let lines = Lines()
        var logger = Logger(label: "shepherd.test") { JSONLogHandler(label: $0, level: .debug, sink: lines.sink()) }
        logger[metadataKey: "request_id"] = "req-1"
        logger.debug(
            "POST /v1/chat/completions 200",
            metadata: [
                "status": "200", "shepherd_path": "legacy", "verdict": ["code": "healthy", "samples": ["1", "2"]],
            ])
        let record = try #require(try objects(lines).first)
        #expect(record["message"] as? String == "POST /v1/chat/completions 200")
        #expect(record["level"] as? String == "debug")
        #expect(record["logger"] as? String == "shepherd.test")
        #expect(record["request_id"] as? String == "req-1")
        #expect(record["status"] as? String == "200")
        #expect((record["verdict"] as? [String: Any])?["code"] as? String == "healthy")
        #expect((record["verdict"] as? [String: Any])?["samples"] as? [String] == ["1", "2"])
        let time = try #require(record["time"] as? String)
        #expect(time.hasSuffix("Z") && time.count == "2026-11-21T10:00:00.123Z".count)
    }

    @Test func quotesNewlinesAndControlCharactersSoThatALineStaysOneLine() throws {
        let lines = Lines()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: lines.sink()) }
        let nasty = "line one\nline \"two\"\t\\ \u{01} é ✓"
        logger.error("\(nasty)", metadata: ["detail": "\(nasty)"])
        let record = try #require(try objects(lines).first)
        #expect(record["message"] as? String == nasty)
        #expect(record["detail"] as? String == nasty)
    }

    @Test func configuredSecretsNeverReachTheLine() throws {
        let lines = Lines()
        let secret = "sk-live-0123456789abcdef"
        let redactor = SecretRedactor([secret])
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, redactor: redactor, sink: lines.sink()) }
        logger.warning("upstream said: bad key \(secret)", metadata: ["echo": "\(secret)", "list": ["x-\(secret)"]])
        let line = try #require(lines.all.first)
        #expect(!line.contains(secret) && !line.contains("0123456789abcdef"))
        #expect(line.contains("[REDACTED]"))
    }

    @Test func theMetadataProviderAddsItsKeys() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"] }
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, metadataProvider: provider, sink: lines.sink()) }
        logger.info("hello")
        #expect(try objects(lines).first?["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func belowTheLevelNothingIsWritten() {
        let lines = Lines()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, level: .notice, sink: lines.sink()) }
        logger.info("quiet")
        logger.notice("loud")
        #expect(lines.all.count == 1)
    }
}
