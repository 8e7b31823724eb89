import Foundation
import NIOCore
import Testing
import Upstream

/// The request scanner reads the fields a proxy routes on from the body's bytes; FuzzTests checks
/// it against `JSONDecoder` on every fuzz input, these name the cases.
struct ChatRequestScanTests {
    static func scan(_ json: String) throws(JSONScanError) -> ChatRequestScan {
        try ChatRequestScan(json: ByteBuffer(string: json))
    }

    @Test func readsTheRoutedFieldsAndSkipsTheRest() throws {
        let scan = try Self.scan(
            #"""
            {"temperature": -1.5e+2, "model": "gpt-4.1", "tools": [{"type": "function", "function": {"name": "f"}}],
             "stream": true, "stream_options": {"x": [null, {}], "include_usage": true},
             "messages": [{"role": "user", "content": "hi \"there\""}, {"role": "assistant", "content": null}],
             "user": "caf\u00e9 \ud83d\ude00"}
            """#)
        #expect(scan.model == .value("gpt-4.1"))
        #expect(scan.isStreaming && scan.includeUsage)
        #expect(scan.messageCount == .value(2))
        #expect(scan.user == .value("café 😀"))
    }

    @Test func absentNullAndWrongTypesAreToldApart() throws {
        let scan = try Self.scan(#"{"model": 5, "stream": null, "stream_options": [], "messages": {}}"#)
        #expect(scan.model == .wrongType)
        #expect(scan.stream == .null)
        #expect(scan.streamOptions == .wrongType)
        #expect(scan.messageCount == .wrongType)
        #expect(scan.user == .absent)
        #expect(!scan.isStreaming && !scan.includeUsage)
    }

    @Test func aKeyWrittenWithEscapesIsTheSameKey() throws {
        #expect(try Self.scan(#"{"mod\u0065l": "m", "messages": []}"#).model == .value("m"))
    }

    /// JSONDecoder keeps the first of two `model` keys, most upstreams the last: routing and
    /// pricing one model while the upstream answers with another is refused instead.
    @Test func aRoutedFieldThatAppearsTwiceIsRefused() {
        #expect { try Self.scan(#"{"model": "cheap", "messages": [], "model": "expensive"}"#) } throws: { error in
            (error as? JSONScanError)?.repeatedKey == "model"
        }
        #expect { try Self.scan(#"{"stream_options": {"include_usage": true, "include_usage": false}}"#) } throws: {
            error in (error as? JSONScanError)?.repeatedKey == "stream_options.include_usage"
        }
        #expect(
            (try? Self.scan(#"{"model": "m", "other": 1, "other": 2}"#)) != nil, "a key it does not read may repeat")
    }

    /// Found by the fuzzer: JSONDecoder reads these, but they are not JSON.
    @Test(arguments: [
        (#"{"model": "a",}"#, JSONScanError.trailingComma),
        (#"{"model": "a", "m": [1, 2,]}"#, JSONScanError.trailingComma),
        // Invalid UTF-8 in a value JSONDecoder skips (the second of two "" keys).
        ("{\"\":5,\"\":\"ye\u{FFFD}\"}", ""),
    ])
    func whatJSONDecoderToleratesButIsNotJSONIsRefused(json: String, reason: String) throws {
        var bytes = Array(json.utf8)
        if reason.isEmpty {
            // Replace U+FFFD (EF BF BD) by a lone continuation byte.
            let start = try #require(bytes.firstIndex(of: 0xEF))
            bytes.replaceSubrange(start..<start + 3, with: [0xB1])
        }
        let expected = reason.isEmpty ? JSONScanError.invalidUTF8 : reason
        #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) != nil, "JSONDecoder reads it")
        #expect { try bytes.withUnsafeBytes { try ChatRequestScan(bytes: $0) } } throws: { error in
            (error as? JSONScanError)?.reason == expected
        }
    }

    @Test(arguments: [
        "", " ", "[]", "\"model\"", "{", #"{"model"}"#, #"{"model": }"#, #"{"a": 01}"#, #"{"a": 1.}"#, #"{"a": .5}"#,
        #"{"a": -}"#, #"{"a": 1e}"#, #"{"a": tru}"#, #"{"a": "\x"}"#, #"{"a": "\u12"}"#, #"{"a": "\ud800"}"#,
        #"{"a": "\udc00"}"#, "{\"a\": \"tab\there\"}", #"{"a": 1} x"#, #"{'a': 1}"#, #"{"a": NaN}"#,
    ])
    func malformedBodiesAreRefusedWithAnOffset(json: String) {
        #expect { try Self.scan(json) } throws: { error in
            guard let error = error as? JSONScanError else { return false }
            return error.offset >= 0 && error.offset <= json.utf8.count && !error.reason.isEmpty
        }
    }

    /// Found by the fuzzer: Foundation reads `{\0}\0` as `{}` in UTF-16LE. A request body is UTF-8.
    @Test func jsonInUTF16IsRefused() throws {
        let utf16: [UInt8] = [0x7B, 0x00, 0x7D, 0x00]
        #expect((try? JSONSerialization.jsonObject(with: Data(utf16))) != nil, "Foundation reads it")
        #expect(throws: JSONScanError.self) { try utf16.withUnsafeBytes { try ChatRequestScan(bytes: $0) } }
    }

    @Test func nestingDeeperThanJSONDecoderAcceptsIsRefused() throws {
        let deep = #"{"a":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect { try Self.scan(deep) } throws: { error in (error as? JSONScanError)?.reason.contains("deeper") == true
        }
        let fine = #"{"a":"# + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        #expect((try? Self.scan(fine)) != nil)
    }
}
