import Canary
import Foundation
import MockProvider
import Testing
import Upstream

/// A 200 whose body is not the answer its flavor promises is an error, never an empty success.
struct AnswerShapeTests {
    @Test func anOpenAIShapedAnswerToTheAnthropicFlavorIsAMalformedResponseNotAnEmptySuccess() async throws {
        let scenario = Harness.phase {
            $0.malformedRate = 1
            $0.malformedBody = .otherFlavor
        }
        try await Harness.withMock(scenario) { _, providers in
            let error = await Harness.providerError {
                _ = try await providers.anthropic.complete(Harness.request(model: "claude-sonnet-4.5"))
            }
            #expect(error?.code == .malformedResponse)
            #expect(error?.failureClass.countsAgainstPath == true)
            #expect(error?.httpStatus == 200)
            #expect(error?.message?.contains("OpenAI chat completion") == true, "\(String(describing: error))")
        }
    }

    @Test func anAnthropicShapedAnswerToTheOpenAIFlavorIsAMalformedResponse() async throws {
        let scenario = Harness.phase {
            $0.malformedRate = 1
            $0.malformedBody = .otherFlavor
        }
        try await Harness.withMock(scenario) { _, providers in
            let error = await Harness.providerError { _ = try await providers.openAI.complete(Harness.request()) }
            #expect(error?.code == .malformedResponse)
            #expect(error?.message?.contains("Anthropic Messages answer") == true, "\(String(describing: error))")
        }
    }

    @Test func anOpenAIAnswerWithNoChoicesIsAMalformedResponse() async throws {
        let scenario = Harness.phase {
            $0.malformedRate = 1
            $0.malformedBody = .noChoices
        }
        try await Harness.withMock(scenario) { _, providers in
            let error = await Harness.providerError { _ = try await providers.openAI.complete(Harness.request()) }
            #expect(error?.code == .malformedResponse)
            #expect(error?.failureClass.countsAgainstPath == true)
            #expect(error?.message?.contains("no choices") == true)
        }
    }

    @Test func aMessageWithLittleMoreThanAnIDIsNotAFinishedMessagesAnswer() throws {
        let bare = try JSONDecoder().decode(AnthropicMessagesResponse.self, from: Data(#"{"id":"msg_1"}"#.utf8))
        #expect(AnthropicTranslation.shapeProblem(of: bare)?.contains("stop_reason") == true)
        let wrongType = try JSONDecoder().decode(
            AnthropicMessagesResponse.self,
            from: Data(#"{"id":"x","type":"error","role":"assistant","stop_reason":"end_turn","content":[]}"#.utf8))
        #expect(AnthropicTranslation.shapeProblem(of: wrongType)?.contains("\"error\"") == true)
        let finished = try JSONDecoder().decode(
            AnthropicMessagesResponse.self,
            from: Data(
                #"{"id":"msg_2","type":"message","role":"assistant","model":"m","content":[],"stop_reason":"end_turn"}"#
                    .utf8))
        #expect(AnthropicTranslation.shapeProblem(of: finished) == nil, "an empty but finished answer is an answer")
    }
}
