import Canary
import Hummingbird
import Resilience
import Testing
import Upstream

@testable import Shepherd
@testable import ShepherdServer

/// The server maps a failure to the OpenAI envelope from its decided outcome alone: the error
/// it was decided from is never looked at (here a decoy that would map otherwise).
struct FailureEnvelopeTests {
    /// A 404 the upstream rejected, with its own message: what the envelope would say were it read.
    static let decoy = ProviderError(
        code: .httpStatus, failureClass: .clientError, provider: "decoy", httpStatus: 404, message: "decoy message")

    static func envelope(_ failure: CallFailure, attempts: [RoutedAttempt]? = nil) -> OpenAIError {
        let attempt = RoutedAttempt(path: .relay, provider: "relay", model: "gpt-4.1", failure: failure, latency: .zero)
        let attempts = attempts ?? [attempt]
        return OpenAIError(upstream: RouterError(deciding: failure, error: decoy, attempts: attempts))
    }

    /// Status and `code` of the envelope of every class, as the table in `OpenAIError+Upstream` says.
    @Test(arguments: FailureClass.allCases)
    func everyClassMapsFromItsOutcome(failureClass: FailureClass) {
        let error = Self.envelope(CallFailure(failureClass, provider: "relay"))
        let expected: (Int, String?, String) =
            switch failureClass {
            case .clientError: (400, nil, "invalid_request_error")
            case .authError: (502, "upstream_auth_failed", "api_error")
            case .cancelled: (499, "cancelled", "api_error")
            case .timeout: (504, "upstream_timeout", "api_error")
            case .rateLimited: (503, "upstream_unavailable", "api_error")
            case .serverError, .connection, .tls, .dns, .other: (502, "upstream_failed", "api_error")
            }
        #expect(error.status.code == expected.0, "\(failureClass)")
        #expect(error.code == expected.1 && error.type == expected.2, "\(failureClass)")
        #expect(!error.message.contains("decoy"))
        #expect(error.headers[.shepherdPath] == "relay" && error.headers[.shepherdFallback] == "false")
    }

    @Test func aRejectionCarriesTheUpstreamsStatusMessageTypeCodeAndParam() {
        let failure = CallFailure(
            .clientError, label: "http_422", httpStatus: 422, provider: "relay", message: "bad tool schema",
            upstreamType: "invalid_request_error", upstreamCode: "invalid_tools", upstreamParam: "tools")
        let error = Self.envelope(failure)
        #expect(error.status.code == 422 && error.message == "bad tool schema")
        #expect(error.code == "invalid_tools" && error.param == "tools" && error.type == "invalid_request_error")
        let unsupported = Self.envelope(
            CallFailure(
                .clientError, label: "unsupported", provider: "legacy", message: "no embeddings here",
                unsupportedOperation: true))
        #expect(unsupported.status.code == 501 && unsupported.code == "unsupported_operation")
        #expect(unsupported.message.hasPrefix("no embeddings here. Tried: relay gpt-4.1: clientError (unsupported)"))
    }

    @Test func aServerErrorIsUnavailableOnlyWhenItsOutcomeSaysItPasses() {
        let passing = CallFailure(.serverError, label: "http_503", retryAfter: .delay(.seconds(2.5)), passes: true)
        let error = Self.envelope(passing)
        #expect(error.status.code == 503 && error.code == "upstream_unavailable")
        #expect(error.headers[.retryAfter] == "3")
        #expect(
            error.message == "Every upstream is unavailable or rate limited; retry later. Tried: "
                + "relay gpt-4.1: serverError (http_503).")
        let broken = Self.envelope(CallFailure(.serverError, label: "http_503", retryAfter: .delay(.seconds(2))))
        #expect(broken.status.code == 502 && broken.headers[.retryAfter] == nil)
        // The breaker's rejection, the resilience layer's decision, passes too.
        let open = Self.envelope(ResilienceError(.circuitOpen(retryAfter: .seconds(4))).outcome)
        #expect(open.status.code == 503 && open.headers[.retryAfter] == "4")
    }

    @Test func aTimeoutNamesItsDecidedLabelAndTheAttemptsTheirs() {
        let error = Self.envelope(ResilienceError(.attemptTimedOut).outcome)
        #expect(
            error.message == "No upstream answered in time (attempt_timed_out). Tried: "
                + "relay gpt-4.1: timeout (attempt_timed_out).")
    }

    @Test func withoutAttemptsTheDecidedFailureIsWhatWasTried() {
        let error = Self.envelope(CallFailure(.connection, label: "connection", provider: "relay"), attempts: [])
        #expect(error.status.code == 502 && error.headers[.shepherdPath] == nil)
        #expect(error.message == "No upstream could answer. Tried: relay: connection (connection).")
        let auth = Self.envelope(CallFailure(.authError, label: "http_401", httpStatus: 401, provider: "relay"))
        #expect(auth.message.hasPrefix("The relay upstream (relay) refused Shepherd's credentials (http_401)."))
    }
}
