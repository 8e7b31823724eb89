import Canary
import Foundation
import NIOCore
import Testing
import Upstream

/// The wire scan (`ChatRequest(scanning:)`, `ChatResponse(scanning:)`) reads the bodies a proxy
/// sees into the value `JSONDecoder` gives, and leaves everything unusual to `JSONDecoder`.
/// FuzzTests checks the same agreement on every fuzz input; these name the cases and add a
/// generated sweep.
struct WireScanTests {
    static let requests: [String] = [
        #"{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-1"}"#,
        #"""
        {"model": "gpt-4.1", "temperature": 0.7, "top_p": 1, "n": 2, "max_tokens": 64, "max_completion_tokens": 128,
         "stop": "END", "stream": true, "stream_options": {"include_usage": true, "x": 1}, "seed": -42,
         "parallel_tool_calls": false, "tool_choice": "auto", "response_format": {"type": "json_object"},
         "messages": [
           {"role": "system", "content": "Be brief. caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n"},
           {"role": "user", "content": [{"type": "text", "text": "look"},
                                        {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low", "z": [1]}}]},
           {"role": "assistant", "content": null, "tool_calls": [
             {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "42", "name": "f"}],
         "tools": [{"type": "function", "function": {"name": "f", "description": "d",
                    "parameters": {"type": "object", "properties": {"a": {"type": "integer", "minimum": -1.5}}}, "strict": true}}],
         "logit_bias": {"50256": -100}, "metadata": {"k": "v", "n": null, "deep": [[[]], {}]}, "reasoning_effort": "low",
         "prediction": {"type": "content", "content": [0.25, -3, 1.5e-3, 12345678901234]}}
        """#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{}}}}"#,
        #"{"model":"m","messages":[{"role":"assistant"}],"temperature":null,"user":null,"tools":null}"#,
        "\u{FEFF} \n{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}]} \n",
        #"{"mod\u0065l":"m","messages":[{"role":"developer","content":"x","refusal":"no","extra":true}]}"#,
    ]

    static let responses: [String] = [
        #"{"id":"chatcmpl-load","object":"chat.completion","created":1735689600,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the static upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"#,
        #"""
        {"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-2025", "system_fingerprint": "fp",
         "service_tier": "default", "choices": [
           {"index": 0, "message": {"role": "assistant", "content": null, "refusal": null,
             "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}], "annotations": []},
            "finish_reason": "tool_calls", "logprobs": null},
           {"index": 1, "message": {"role": "assistant", "content": "b"}, "finish_reason": null, "logprobs": {"content": []}}],
         "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
                   "prompt_tokens_details": {"cached_tokens": 3, "audio_tokens": 0},
                   "completion_tokens_details": {"reasoning_tokens": 2, "accepted_prediction_tokens": 0}}}
        """#,
        // Defaults filled in: the answer is read, but its bytes are not kept.
        #"{"choices":[{"message":{"role":"assistant","content":"x"}}],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":null}}"#,
        #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"}}]}"#,
        #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}"#,
    ]

    @Test(arguments: requests)
    func aRequestIsScannedIntoTheValueJSONDecoderGives(json: String) throws {
        let body = ByteBuffer(string: json)
        let scanned = try #require(ChatRequest(scanning: body))
        let decoded = try ChatRequest(decoding: body)
        #expect(scanned == decoded)
        #expect(scanned.extras == decoded.extras)
        #expect(scanned.originalJSON == body)
    }

    @Test(arguments: responses)
    func anAnswerIsScannedIntoTheValueJSONDecoderGives(json: String) throws {
        let body = ByteBuffer(string: json)
        let scanned = try #require(ChatResponse(scanning: body))
        let decoded = try ChatResponse(decoding: body)
        #expect(scanned == decoded)
        #expect(scanned.originalJSON == decoded.originalJSON)
    }

    @Test func filledInDefaultsDropTheBytesAsDecodingDoes() throws {
        let body = ByteBuffer(string: Self.responses[2])
        let scanned = try #require(ChatResponse(scanning: body))
        #expect(scanned.originalJSON == nil)
        #expect(scanned.id == "" && scanned.object == "chat.completion")
        // `total_tokens: null` falls back to the sum of the two before it, as in decoding.
        #expect(scanned.usage?.totalTokens == 5)
        #expect(try ChatResponse(scanning: ByteBuffer(string: Self.responses[0]))?.originalJSON != nil)
    }

    /// What the scan declines, `JSONDecoder` still reads (or refuses) as before.
    @Test(arguments: [
        #"{"model":"m","model":"n","messages":[{"role":"user","content":"x"}]}"#,  // a key twice
        #"{"model":"m","messages":[{"role":"user","content":"x"}],}"#,  // a trailing comma
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.0}"#,  // an Int written 1.0
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"seed":1e2}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"seed":-0}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"x":2.0}"#,  // JSONValue: integer or not
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"x":99999999999999999999}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"x":{"a":1,"a":2}}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1e999}"#,
        #"{"model":5,"messages":[{"role":"user","content":"x"}]}"#,  // wrong types
        #"{"model":"m","messages":[{"role":"user","content":5}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#,
        #"{"model":"m"}"#,  // a required key missing
        #"{"model":"m","messages":[{"content":"x"}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"x"}]} x"#,
        #"["model"]"#,
    ])
    func whatTheScanDeclinesIsLeftToJSONDecoder(json: String) {
        let body = ByteBuffer(string: json)
        #expect(ChatRequest(scanning: body) == nil)
        let viaJSON = Result { try ChatRequest(json: body) }
        let viaDecoder = Result { try ChatRequest(decoding: body) }
        #expect((try? viaJSON.get()) == (try? viaDecoder.get()))
    }

    /// Generated bodies: modelled keys with values of every type (right, wrong, null), extras,
    /// numbers in every notation. Whatever the scan reads, `JSONDecoder` reads the same; and the
    /// scan reads most of them, so it is not declining its way to agreement.
    @Test func generatedBodiesReadTheSameEitherWay() throws {
        var random = SeededGenerator(seed: 13)
        var scannedRequests = 0
        var scannedResponses = 0
        let rounds = 1500
        for _ in 0..<rounds {
            let request = ByteBuffer(string: Generator.request(&random))
            if let scanned = ChatRequest(scanning: request) {
                scannedRequests += 1
                let decoded = try ChatRequest(decoding: request)
                #expect(scanned == decoded, "\(String(buffer: request))")
            }
            let response = ByteBuffer(string: Generator.response(&random))
            if let scanned = ChatResponse(scanning: response) {
                scannedResponses += 1
                let decoded = try ChatResponse(decoding: response)
                #expect(scanned == decoded, "\(String(buffer: response))")
                #expect((scanned.originalJSON == nil) == (decoded.originalJSON == nil))
            }
        }
        #expect(scannedRequests > rounds / 4)
        #expect(scannedResponses > rounds / 4)
    }

    /// Random JSON texts shaped like requests and answers.
    enum Generator {
        static func pick<T>(_ options: [T], _ random: inout SeededGenerator) -> T {
            options[Int(random.next() % UInt64(options.count))]
        }

        static func chance(_ percent: UInt64, _ random: inout SeededGenerator) -> Bool {
            random.next() % 100 < percent
        }

        static func number(_ random: inout SeededGenerator) -> String {
            pick(
                [
                    "0", "1", "-7", "42", "9007199254740993", "-9223372036854775808", "9223372036854775808", "0.5",
                    "-0.25", "1.0", "2e3", "1E-2", "-0", "1.5e300", "3.14159", "0.1", "123456.789e-3",
                ], &random)
        }

        static func string(_ random: inout SeededGenerator) -> String {
            pick(
                [
                    #""""#, #""hi""#, #""caf\u00e9""#, #""\ud83d\ude00 x""#, #""a\"b\\c\/d\n\t""#, "\"é中\"",
                    #""gpt-4.1""#, #""assistant""#, #""user""#,
                ], &random)
        }

        static func value(_ random: inout SeededGenerator, depth: Int = 0) -> String {
            switch random.next() % (depth > 2 ? 5 : 7) {
            case 0: return "null"
            case 1: return pick(["true", "false"], &random)
            case 2, 3: return number(&random)
            case 4: return string(&random)
            case 5:
                let count = Int(random.next() % 3)
                return "[" + (0..<count).map { _ in value(&random, depth: depth + 1) }.joined(separator: ",") + "]"
            default:
                let count = Int(random.next() % 3)
                let members = (0..<count).map { index in "\"k\(index)\":\(value(&random, depth: depth + 1))" }
                return "{" + members.joined(separator: ",") + "}"
            }
        }

        /// `good` most of the time, else any value.
        static func field(_ good: String, _ random: inout SeededGenerator) -> String {
            chance(97, &random) ? good : value(&random)
        }

        /// A plain integer most of the time, else a number in any notation.
        static func integer(_ random: inout SeededGenerator) -> String {
            chance(90, &random) ? pick(["0", "3", "-12", "4096", "9223372036854775807"], &random) : number(&random)
        }

        static func object(_ members: [(String, String)], _ random: inout SeededGenerator) -> String {
            var chosen = members.filter { _ in chance(80, &random) }
            if chance(30, &random) { chosen.append(("extra_\(random.next() % 3)", value(&random))) }
            return "{" + chosen.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }

        static func message(_ random: inout SeededGenerator) -> String {
            let content = pick(
                [
                    string(&random), "null",
                    #"[{"type":"text","text":"t"},{"type":"image_url","image_url":{"url":"u","detail":"low"}}]"#,
                ], &random)
            let toolCalls = #"[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]"#
            return object(
                [
                    ("role", field(pick([#""user""#, #""assistant""#, #""tool""#], &random), &random)),
                    ("content", field(content, &random)), ("name", field(string(&random), &random)),
                    ("tool_calls", field(toolCalls, &random)), ("tool_call_id", field(#""c""#, &random)),
                ], &random)
        }

        static func request(_ random: inout SeededGenerator) -> String {
            let messages =
                "[" + (0..<(1 + Int(random.next() % 2))).map { _ in message(&random) }.joined(separator: ",") + "]"
            let tools = #"[{"type":"function","function":{"name":"f","parameters":{"type":"object"},"strict":true}}]"#
            return object(
                [
                    ("model", field(#""m""#, &random)), ("messages", field(messages, &random)),
                    ("temperature", field(number(&random), &random)), ("n", field(integer(&random), &random)),
                    ("max_tokens", field(integer(&random), &random)), ("stream", field("true", &random)),
                    ("stream_options", field(#"{"include_usage":true}"#, &random)),
                    ("stop", field(pick([#""x""#, #"["a","b"]"#], &random), &random)), ("tools", field(tools, &random)),
                    ("tool_choice", field(#""auto""#, &random)), ("user", field(string(&random), &random)),
                    ("seed", field(integer(&random), &random)),
                    ("response_format", field(#"{"type":"json_object"}"#, &random)),
                ], &random)
        }

        static func response(_ random: inout SeededGenerator) -> String {
            let choice = object(
                [
                    ("index", field(integer(&random), &random)), ("message", field(message(&random), &random)),
                    ("finish_reason", field(#""stop""#, &random)), ("logprobs", field("null", &random)),
                ], &random)
            let usage = object(
                [
                    ("prompt_tokens", field(integer(&random), &random)),
                    ("completion_tokens", field(integer(&random), &random)),
                    ("total_tokens", field(pick([integer(&random), "null"], &random), &random)),
                    ("prompt_tokens_details", field(#"{"cached_tokens":1}"#, &random)),
                ], &random)
            return object(
                [
                    ("id", field(#""c""#, &random)), ("object", field(#""chat.completion""#, &random)),
                    ("created", field(integer(&random), &random)), ("model", field(string(&random), &random)),
                    ("choices", field("[\(choice)]", &random)), ("usage", field(usage, &random)),
                    ("system_fingerprint", field(#""fp""#, &random)),
                ], &random)
        }
    }
}
