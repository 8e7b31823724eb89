import Canary
import Resilience
import Testing
import Upstream

/// The upstream client decides its failures: the outcome every layer above reads.
struct ProviderErrorOutcomeTests {
    @Test func anErrorStatusIsDecidedWithEverythingTheServerNeeds() {
        let error = ProviderError(
            code: .httpStatus, failureClass: .clientError, provider: "relay", httpStatus: 400, message: "too long",
            upstreamType: "invalid_request_error", upstreamCode: "context_length_exceeded", upstreamParam: "messages")
        let failure = error.outcome
        #expect(failure.failureClass == .clientError && failure.label == "http_400")
        #expect(failure.httpStatus == 400 && failure.provider == "relay" && failure.message == "too long")
        #expect(failure.upstreamType == "invalid_request_error" && failure.upstreamCode == "context_length_exceeded")
        #expect(failure.upstreamParam == "messages")
        #expect(!failure.isRetryable && !failure.isFailover && !failure.isUnavailable)
        #expect(FailureClassifier().outcome(of: error) == failure, "the classifier reads the decision")
    }

    @Test func only503And529OfTheServerErrorsPass() {
        for (status, passes) in [(503, true), (529, true), (500, false), (502, false)] {
            let error = ProviderError(
                code: .httpStatus, failureClass: .serverError, provider: "relay", httpStatus: status)
            #expect(error.outcome.isUnavailable == passes, "\(status)")
            #expect(error.outcome.label == "http_\(status)")
        }
        let unreadable = ProviderError(
            code: .malformedResponse, failureClass: .serverError, provider: "relay", httpStatus: 503,
            upstreamMayHaveCompleted: true)
        #expect(!unreadable.outcome.isUnavailable && unreadable.outcome.label == "malformed_response")
        #expect(unreadable.outcome.upstreamMayHaveCompleted)
    }

    @Test func rateLimitsCarryTheirRetryAfterAndUnsupportedOperationsSaySo() {
        let limited = ProviderError(
            code: .httpStatus, failureClass: .rateLimited, provider: "relay", httpStatus: 429,
            retryAfter: .delay(.seconds(7)))
        #expect(limited.outcome.retryAfter == .delay(.seconds(7)) && limited.outcome.isUnavailable)
        let unsupported = ProviderError(code: .unsupported, failureClass: .clientError, provider: "legacy")
        #expect(unsupported.outcome.isUnsupportedOperation && !limited.outcome.isUnsupportedOperation)
    }
}
