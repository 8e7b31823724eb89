import Foundation
import Testing
import Upstream

/// The OpenAI-compatible wire types: everything round-trips, unknown fields included.
struct WireTypesTests {
    static let request = #"""
        {
          "model": "gpt-4.1",
          "messages": [
            {"role": "developer", "content": "Answer in JSON."},
            {"role": "user", "name": "ada", "content": [
              {"type": "text", "text": "What is in this image?"},
              {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}},
              {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
              {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"cat\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
            {"role": "assistant", "content": "old style", "function_call": {"name": "f", "arguments": "{}"}}
          ],
          "temperature": 0.2,
          "top_p": 0.9,
          "max_completion_tokens": 300,
          "stop": "END",
          "stream": true,
          "stream_options": {"include_usage": true, "future_option": 1},
          "tools": [{"type": "function", "function": {"name": "lookup", "description": "Looks up",
                     "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}, "strict": true}}],
          "tool_choice": {"type": "function", "function": {"name": "lookup"}},
          "parallel_tool_calls": false,
          "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}},
          "user": "user-42",
          "seed": 7,
          "logit_bias": {"50256": -100},
          "reasoning_effort": "low",
          "metadata": {"team": "search"},
          "prediction": {"type": "content", "content": "x"}
        }
        """#

    @Test func chatRequestRoundTripsWithoutLoss() throws {
        let decoded = try JSON.decode(ChatRequest.self, Self.request)
        #expect(decoded.model == "gpt-4.1")
        #expect(decoded.messages.count == 5)
        #expect(decoded.messages[1].content?.text == "What is in this image?")
        #expect(decoded.messages[1].content.map { if case .parts(let parts) = $0 { parts.count } else { 0 } } == 3)
        #expect(decoded.messages[2].toolCalls?.first?.function?.name == "lookup")
        #expect(decoded.messages[3].toolCallID == "call_1")
        #expect(decoded.stop == "END")
        #expect(decoded.streamOptions?.includeUsage == true)
        #expect(decoded.responseFormat?.type == "json_schema")
        #expect(decoded.outputTokenLimit == 300)
        #expect(decoded.extras.keys.sorted() == ["logit_bias", "metadata", "prediction", "reasoning_effort"])
        #expect(decoded.messages[4].extras["function_call"]?["name"] == "f")
        #expect(try JSON.value(of: decoded) == JSON.value(Self.request))
    }

    @Test func stopAsAnArrayStaysAnArray() throws {
        let text = #"{"model":"m","messages":[],"stop":["a","b"]}"#
        let decoded = try JSON.decode(ChatRequest.self, text)
        #expect(decoded.stop?.values == ["a", "b"])
        #expect(try JSON.value(of: decoded) == JSON.value(text))
    }

    static let response = #"""
        {
          "id": "chatcmpl-abc", "object": "chat.completion", "created": 1700000000, "model": "gpt-4.1-2025-04-14",
          "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null,
            "message": {"role": "assistant", "content": null, "refusal": null, "annotations": [],
              "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}],
          "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200,
            "prompt_tokens_details": {"cached_tokens": 100, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 64, "audio_tokens": 0,
              "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
          "service_tier": "default", "system_fingerprint": "fp_1"
        }
        """#

    @Test func chatResponseKeepsUsageDetailsAndUnknownFields() throws {
        let decoded = try JSON.decode(ChatResponse.self, Self.response)
        #expect(decoded.usage?.cachedTokens == 100)
        #expect(decoded.usage?.reasoningTokens == 64)
        #expect(decoded.usage?.completionTokensDetails?.extras["accepted_prediction_tokens"] == 0)
        #expect(decoded.extras["service_tier"] == "default")
        #expect(decoded.choices[0].message.extras["annotations"] == [])
        // `null` values of modelled optional fields are dropped on the way out; everything else is kept.
        var expected = try JSON.value(Self.response).objectValue!
        var choice = expected["choices"]!.arrayValue![0].objectValue!
        choice["logprobs"] = nil
        var message = choice["message"]!.objectValue!
        message["refusal"] = nil
        choice["message"] = .object(message)
        expected["choices"] = [.object(choice)]
        #expect(try JSON.value(of: decoded) == .object(expected))
    }

    @Test func chunkWithUsageOnlyHasNoChoices() throws {
        let text = #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],
             "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}
            """#
        let chunk = try JSON.decode(ChatChunk.self, text)
        #expect(chunk.choices.isEmpty)
        #expect(chunk.usage?.totalTokens == 7)
        #expect(try JSON.value(of: chunk) == JSON.value(text))
    }

    @Test func streamedToolCallDeltasAccumulateIntoOneCall() throws {
        let lines = [
            #"{"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get","arguments":""}}]}}]}"#,
            #"{"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
            #"{"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]}"#,
            #"{"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ]
        var accumulator = ChatStreamAccumulator()
        for line in lines { accumulator.add(try JSON.decode(ChatChunk.self, line)) }
        let message = accumulator.response().choices[0].message
        #expect(
            message.toolCalls == [
                ToolCall(id: "call_1", type: "function", function: .init(name: "get", arguments: #"{"city":"Paris"}"#))
            ])
        #expect(accumulator.response().choices[0].finishReason == "tool_calls")
    }

    @Test func errorEnvelopeModelsAndEmbeddingsRoundTrip() throws {
        let error = #"{"error":{"message":"Rate limit","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        #expect(try JSON.value(of: JSON.decode(APIErrorEnvelope.self, error)) == JSON.value(error))

        let models = #"{"object":"list","data":[{"id":"gpt-4.1","object":"model","created":1,"owned_by":"system"}]}"#
        #expect(try JSON.value(of: JSON.decode(ModelList.self, models)) == JSON.value(models))

        let request =
            #"{"model":"text-embedding-3-small","input":["a","b"],"dimensions":256,"encoding_format":"float"}"#
        let decodedRequest = try JSON.decode(EmbeddingRequest.self, request)
        #expect(decodedRequest.texts == ["a", "b"])
        #expect(try JSON.value(of: decodedRequest) == JSON.value(request))

        let response = #"""
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}
            """#
        let decodedResponse = try JSON.decode(EmbeddingResponse.self, response)
        #expect(decodedResponse.data[0].vector == [0.5, -0.25])
        #expect(try JSON.value(of: decodedResponse) == JSON.value(response))
    }

    @Test func jsonValueKeepsIntegersApartFromNumbers() throws {
        let value = try JSON.value(#"{"seed":42,"t":0.5,"big":9007199254740993,"flag":true,"none":null}"#)
        #expect(value["seed"] == .integer(42))
        #expect(value["t"] == .number(0.5))
        #expect(value["big"] == .integer(9_007_199_254_740_993))
        #expect(value["flag"] == .bool(true))
        #expect(value["none"] == .null)
    }
}
