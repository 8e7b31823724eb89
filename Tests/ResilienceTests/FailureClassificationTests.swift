import Canary
import Testing

@testable import Resilience

struct FailureClassificationTests {
    @Test(
        "HTTP statuses map to the one table",
        arguments: [
            (429, FailureClass.rateLimited, true), (500, .serverError, true), (502, .serverError, true),
            (503, .serverError, true), (504, .serverError, true), (529, .serverError, true),
            (400, .clientError, false), (404, .clientError, false), (409, .clientError, false),
            (413, .clientError, false), (422, .clientError, false), (401, .authError, false),
            (403, .authError, false), (408, .timeout, true),
        ])
    func httpStatusesClassifyAsTheTableSays(status: Int, expected: FailureClass, retried: Bool) {
        let failureClass = FailureClass(httpStatus: status)
        #expect(failureClass == expected)
        #expect(failureClass?.isRetryable == retried)
        #expect(failureClass?.isFailover == retried)
    }

    @Test func classifierUsesClassifiedFailureCancellationAndFallsBackToOther() {
        let classifier = FailureClassifier()
        #expect(classifier.classify(UpstreamFailure(.connection)) == .connection)
        #expect(classifier.classify(CancellationError()) == .cancelled)
        #expect(classifier.classify(MysteryError()) == .other)
        #expect(
            classifier.retryAfter(of: UpstreamFailure(.rateLimited, retryAfter: .delay(.seconds(3))))
                == .delay(.seconds(3)))
        #expect(classifier.retryAfter(of: MysteryError()) == nil)
    }

    @Test func customRuleClassifiesForeignErrorsButNotCancellation() {
        let classifier = FailureClassifier { error in error is MysteryError ? .connection : nil }
        #expect(classifier.classify(MysteryError()) == .connection)
        #expect(classifier.classify(CancellationError()) == .cancelled)
        #expect(classifier.classify(UpstreamFailure(.authError)) == .authError)
    }

    @Test(
        "resilience errors classify through the same table",
        arguments: [
            (ResilienceError(.deadlineExceeded), FailureClass.timeout, "deadline_exceeded"),
            (ResilienceError(.attemptTimedOut), .timeout, "attempt_timed_out"),
            (
                ResilienceError(.retryAfterExceedsDeadline(retryAfter: .seconds(9))), .rateLimited,
                "retry_after_exceeds_deadline"
            ),
            (ResilienceError(.budgetExhausted, underlyingClass: .connection), .connection, "budget_exhausted"),
            (ResilienceError(.circuitOpen(retryAfter: .seconds(4))), .serverError, "circuit_open"),
            (
                ResilienceError(.chainExhausted(tried: []), underlyingClass: .rateLimited), .rateLimited,
                "chain_exhausted"
            ),
            (ResilienceError(.invalidConfiguration("x")), .other, "invalid_configuration"),
        ])
    func resilienceErrorsHaveClassesAndLabelSafeNames(error: ResilienceError, expected: FailureClass, label: String) {
        #expect(FailureClassifier().classify(error) == expected)
        #expect(error.metricLabel == label)
        #expect(error.metricLabel.allSatisfy { $0.isLowercase || $0 == "_" })
    }

    @Test func circuitOpenErrorCarriesWhenToTryAgain() {
        let error = ResilienceError(.circuitOpen(retryAfter: .seconds(4)))
        #expect(error.retryAfter == .delay(.seconds(4)))
        #expect(error.description.contains("try again in"))
    }
}
