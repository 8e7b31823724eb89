import Foundation
import Testing
import Upstream

/// Golden pairs for the Anthropic ⇄ OpenAI normalisation: requests, answers and streams.
struct AnthropicGoldenTests {
    // MARK: Requests

    static let openAIRequest = #"""
        {
          "model": "claude-sonnet-4.5",
          "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "developer", "content": "Use metric units."},
            {"role": "user", "content": [
              {"type": "text", "text": "Weather in Paris? Here is a map:"},
              {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
              {"type": "image_url", "image_url": {"url": "https://example.com/map.png"}}
            ]},
            {"role": "assistant", "content": "Let me check.", "tool_calls": [
              {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_1", "content": "18°C, sunny"},
            {"role": "user", "content": "Thanks. And tomorrow?"}
          ],
          "max_completion_tokens": 512,
          "temperature": 0.3,
          "top_p": 0.8,
          "stop": ["\n\nHuman:", "END"],
          "stream": true,
          "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                     "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
          "tool_choice": "required",
          "parallel_tool_calls": false,
          "user": "user-42",
          "seed": 1,
          "response_format": {"type": "text"}
        }
        """#

    static let anthropicRequest = #"""
        {
          "model": "claude-sonnet-4-5",
          "max_tokens": 512,
          "system": "You are terse.\n\nUse metric units.",
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "Weather in Paris? Here is a map:"},
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
              {"type": "image", "source": {"type": "url", "url": "https://example.com/map.png"}}
            ]},
            {"role": "assistant", "content": [
              {"type": "text", "text": "Let me check."},
              {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
            ]},
            {"role": "user", "content": [
              {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C, sunny"},
              {"type": "text", "text": "Thanks. And tomorrow?"}
            ]}
          ],
          "stop_sequences": ["\n\nHuman:", "END"],
          "stream": true,
          "temperature": 0.3,
          "top_p": 0.8,
          "tools": [{"name": "get_weather", "description": "Current weather",
                     "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
          "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
          "metadata": {"user_id": "user-42"}
        }
        """#

    @Test func requestIsTranslatedToTheMessagesAPI() throws {
        let request = try JSON.decode(ChatRequest.self, Self.openAIRequest)
        let translated = AnthropicTranslation.request(from: request, model: "claude-sonnet-4-5")
        #expect(try JSON.value(of: translated) == JSON.value(Self.anthropicRequest))
    }

    @Test func requestWithoutLimitGetsTheDefaultMaxTokensAndNoOptionalKeys() throws {
        let request = ChatRequest(model: "m", messages: [.init(role: .user, content: "Hi")])
        let translated = AnthropicTranslation.request(from: request, model: "claude-haiku-4-5", defaultMaxTokens: 1024)
        #expect(
            try JSON.value(of: translated)
                == JSON.value(
                    #"{"model":"claude-haiku-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}"#
                ))
    }

    @Test(arguments: [
        (JSONValue.string("auto"), Optional<Bool>.none, #"{"type":"auto"}"#),
        (.string("none"), nil, #"{"type":"none"}"#),
        (.string("required"), nil, #"{"type":"any"}"#),
        (JSONValue.object(["type": "function", "function": ["name": "f"]]), nil, #"{"type":"tool","name":"f"}"#),
        (.string("auto"), false, #"{"type":"auto","disable_parallel_tool_use":true}"#),
    ])
    func toolChoiceIsTranslated(choice: JSONValue, parallel: Bool?, expected: String) throws {
        var request = ChatRequest(model: "m", messages: [.init(role: .user, content: "Hi")])
        request.tools = [Tool(function: .init(name: "f"))]
        request.toolChoice = choice
        request.parallelToolCalls = parallel
        let translated = AnthropicTranslation.request(from: request, model: "m")
        #expect(try translated.toolChoice == JSON.value(expected))
    }

    // MARK: Answers

    static let anthropicAnswer = #"""
        {
          "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
          "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": "Checking "},
            {"type": "text", "text": "now."},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Paris", "days": 2}}
          ],
          "stop_reason": "tool_use", "stop_sequence": null,
          "usage": {"input_tokens": 100, "output_tokens": 40, "cache_read_input_tokens": 900, "cache_creation_input_tokens": 50}
        }
        """#

    static let openAIAnswer = #"""
        {
          "id": "chatcmpl-01XFDUDYJgAACzvnptvVoYEL", "object": "chat.completion", "created": 1700000000,
          "model": "claude-sonnet-4.5",
          "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Checking now.",
            "tool_calls": [{"id": "toolu_2", "type": "function",
                            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"days\":2}"}}]}}],
          "usage": {"prompt_tokens": 1050, "completion_tokens": 40, "total_tokens": 1090,
                    "prompt_tokens_details": {"cached_tokens": 900}}
        }
        """#

    @Test func answerIsNormalisedToTheOpenAIShape() throws {
        let answer = try JSON.decode(AnthropicMessagesResponse.self, Self.anthropicAnswer)
        let normalised = AnthropicTranslation.response(from: answer, model: "claude-sonnet-4.5", created: 1_700_000_000)
        #expect(try JSON.value(of: normalised) == JSON.value(Self.openAIAnswer))
    }

    @Test(arguments: [
        ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"),
        ("refusal", "content_filter"), ("pause_turn", "stop"),
    ])
    func stopReasonsMapToFinishReasons(stopReason: String, finishReason: String) {
        #expect(AnthropicTranslation.finishReason(stopReason) == finishReason)
    }

    // MARK: Streams

    static let anthropicEvents = [
        #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1,"cache_read_input_tokens":5}}}"#,
        #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        #"{"type":"ping"}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}"#,
        #"{"type":"content_block_stop","index":0}"#,
        #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_9","name":"get_weather","input":{}}}"#,
        #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"#,
        #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}"#,
        #"{"type":"content_block_stop","index":1}"#,
        #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":31}}"#,
        #"{"type":"message_stop"}"#,
    ]

    static func chunk(_ choices: String, usage: String? = nil) -> String {
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"claude-sonnet-4.5","choices":"#
            + choices + (usage.map { #","usage":"# + $0 } ?? "") + "}"
    }

    static let openAIChunks = [
        chunk(#"[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]"#),
        chunk(#"[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]"#),
        chunk(#"[{"index":0,"delta":{"content":" there"},"finish_reason":null}]"#),
        chunk(
            #"[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_9","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]"#
        ),
        chunk(
            #"[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]"#
        ),
        chunk(
            #"[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":null}]"#
        ),
        chunk(#"[{"index":0,"delta":{},"finish_reason":"tool_calls"}]"#),
        chunk(
            "[]",
            usage:
                #"{"prompt_tokens":30,"completion_tokens":31,"total_tokens":61,"prompt_tokens_details":{"cached_tokens":5}}"#
        ),
    ]

    @Test func streamEventsTranslateToOpenAIChunks() throws {
        var translator = AnthropicStreamTranslator(
            provider: "legacy", model: "claude-sonnet-4.5", created: 1_700_000_000, includeUsage: true)
        var chunks: [JSONValue] = []
        for event in Self.anthropicEvents {
            for chunk in try translator.translate(JSON.decode(AnthropicStreamEvent.self, event)) {
                chunks.append(try JSON.value(of: chunk))
            }
        }
        #expect(translator.isFinished)
        #expect(translator.upstreamModel == "claude-sonnet-4-5")
        #expect(chunks == (try Self.openAIChunks.map(JSON.value)))
    }

    /// Found by the fuzzer: a delta after `message_stop` became a chunk after the final one.
    @Test func nothingAfterMessageStopBecomesAChunk() throws {
        var translator = AnthropicStreamTranslator(provider: "legacy", model: "m", created: 0, includeUsage: true)
        for event in Self.anthropicEvents {
            _ = try translator.translate(JSON.decode(AnthropicStreamEvent.self, event))
        }
        #expect(translator.isFinished)
        let late = try JSON.decode(
            AnthropicStreamEvent.self,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}"#)
        #expect(try translator.translate(late).isEmpty)
    }

    @Test func streamWithoutUsageRequestEndsWithoutTheUsageChunk() throws {
        var translator = AnthropicStreamTranslator(provider: "legacy", model: "m", created: 0, includeUsage: false)
        var count = 0
        for event in Self.anthropicEvents {
            count += try translator.translate(JSON.decode(AnthropicStreamEvent.self, event)).count
        }
        #expect(count == Self.openAIChunks.count - 1)
    }

    @Test(arguments: [
        ("overloaded_error", FailureClassName.serverError), ("rate_limit_error", .rateLimited),
        ("api_error", .serverError), ("authentication_error", .authError), ("invalid_request_error", .clientError),
    ])
    func errorEventInAStreamThrowsAClassifiedError(type: String, expected: FailureClassName) throws {
        var translator = AnthropicStreamTranslator(provider: "legacy", model: "m", created: 0, includeUsage: true)
        let event = try JSON.decode(
            AnthropicStreamEvent.self, #"{"type":"error","error":{"type":"\#(type)","message":"Overloaded"}}"#)
        do {
            _ = try translator.translate(event)
            Issue.record("expected an error")
        } catch let error as ProviderError {
            #expect(error.code == .streamError)
            #expect(error.failureClass.rawValue == expected.rawValue)
            #expect(error.upstreamType == type)
        }
    }

    /// The class names, so that the argument table reads without importing Canary here.
    enum FailureClassName: String, Sendable {
        case serverError, rateLimited, authError, clientError
    }
}
