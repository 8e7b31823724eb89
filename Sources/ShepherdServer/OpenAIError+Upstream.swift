import Canary
import Hummingbird
import Resilience
import Shepherd

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How an upstream failure becomes the caller's HTTP status.
///
/// | router error | status | why |
/// | --- | --- | --- |
/// | `rejected` (400, 404, 409, 413, 422 upstream) | the upstream's status, its message | the caller's request is at fault; it was not failed over |
/// | `rejected`, operation unsupported upstream | 501 | e.g. embeddings on an Anthropic legacy path |
/// | `upstreamAuth` (401, 403 upstream) | 502 | Shepherd's own credentials were refused: a configuration problem, never the caller's |
/// | `allPathsFailed`, deciding failure a timeout | 504 | the upstream did not answer in time |
/// | `allPathsFailed`, every failure "unavailable" | 503 (+ `Retry-After`) | 429, 503, 529, an open breaker or a spent retry budget: a state that passes, retry later |
/// | `allPathsFailed`, otherwise | 502 | 500, 502, connection, malformed answers |
/// | `cancelled` | 499 | the caller went away (nginx's convention; nobody reads it) |
///
/// The message lists every attempt (`relay gpt-4.1: serverError (http_503); legacy …`), never a key.
extension OpenAIError {
    /// What the mapping needs to know of a failure: the router's code, the attempts, and the
    /// deciding failure as it was decided below; never the error itself.
    struct UpstreamFailure {
        var code: RouterError.Code
        var failure: CallFailure
        var message: String
        var attempts: [RoutedAttempt]

        init(router error: RouterError) {
            code = error.code
            failure = error.outcome
            message = error.message
            attempts = error.attempts
        }

        /// An upstream failure thrown as it is (only `models` does: the router wraps everything
        /// else), decided here since no layer below did.
        init(unrouted error: any Error) {
            failure = FailureClassifier().outcome(of: error)
            code =
                switch failure.failureClass {
                case .clientError: .rejected
                case .authError: .upstreamAuth
                case .cancelled: .cancelled
                default: .allPathsFailed
                }
            message = failure.provider == nil ? failure.failureClass.rawValue : failure.label
            attempts = []
        }
    }

    /// Maps any error a router call throws.
    init(upstream error: any Error) {
        if let routerError = error as? RouterError {
            self.init(UpstreamFailure(router: routerError))
        } else {
            self.init(UpstreamFailure(unrouted: error))
        }
    }

    /// Maps a router error by the table above, from its decided failure.
    init(_ error: UpstreamFailure) {
        let failure = error.failure
        var headers = HTTPFields()
        if let last = error.attempts.last {
            headers[.shepherdPath] = last.path.rawValue
            let paths = Set(error.attempts.map(\.path))
            headers[.shepherdFallback] = paths.count > 1 ? "true" : "false"
        }
        let tried = Self.tried(error)
        switch error.code {
        case .rejected:
            if failure.isUnsupportedOperation {
                self.init(
                    .notImplemented,
                    "\(failure.message ?? "The upstream does not support this operation"). Tried: \(tried).",
                    type: "invalid_request_error", code: "unsupported_operation", headers: headers)
                return
            }
            let status =
                failure.httpStatus.flatMap { (400..<500).contains($0) && ![401, 403, 429].contains($0) ? $0 : nil }
                ?? 400
            let message = failure.message.flatMap { $0.isEmpty ? nil : $0 } ?? error.message
            // The upstream's own code and param pass through: SDKs branch on `code`
            // (`context_length_exceeded`), and `param` names the field to fix.
            self.init(
                HTTPResponse.Status(code: status), message, type: failure.upstreamType ?? "invalid_request_error",
                param: failure.upstreamParam, code: failure.upstreamCode, headers: headers)
        case .upstreamAuth:
            let who =
                error.attempts.last(where: { $0.failure == .authError }).map {
                    "the \($0.path) upstream (\($0.provider))"
                }
                ?? "an upstream"
            self.init(
                .badGateway,
                "\(who.prefix(1).uppercased() + who.dropFirst()) refused Shepherd's credentials "
                    + "(\(failure.provider == nil ? "auth error" : failure.label)). This is a problem in Shepherd's "
                    + "configuration, not in your request: the operator must check that upstream's API key.",
                type: "api_error", code: "upstream_auth_failed", headers: headers)
        case .cancelled:
            self.init(
                HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), "The request was cancelled.",
                type: "api_error", code: "cancelled", headers: headers)
        case .allPathsFailed:
            if failure.failureClass == .timeout {
                self.init(
                    .gatewayTimeout, "No upstream answered in time (\(failure.label)). Tried: \(tried).",
                    type: "api_error", code: "upstream_timeout", headers: headers)
            } else if Self.everyFailureIsUnavailable(error) {
                if let wait = failure.retryAfter.map(Self.seconds) { headers[.retryAfter] = String(wait) }
                self.init(
                    .serviceUnavailable, "Every upstream is unavailable or rate limited; retry later. Tried: \(tried).",
                    type: "api_error", code: "upstream_unavailable", headers: headers)
            } else {
                self.init(
                    .badGateway, "No upstream could answer. Tried: \(tried).", type: "api_error",
                    code: "upstream_failed", headers: headers)
            }
        }
    }

    /// `relay gpt-4.1: serverError (http_503); legacy gpt-4.1: serverError (http_503)`.
    private static func tried(_ error: UpstreamFailure) -> String {
        if error.attempts.isEmpty {
            let label = error.failure.provider.map { "\($0): \(error.failure.label)" } ?? error.message
            return "\(label) (\(error.failure.failureClass.rawValue))"
        }
        return error.attempts.map(\.summary).joined(separator: "; ")
    }

    /// Whether every failure says "not now" rather than "broken" (``CallFailure/isUnavailable``):
    /// 429, 503, 529, an open breaker, a spent budget.
    private static func everyFailureIsUnavailable(_ error: UpstreamFailure) -> Bool {
        let failures = error.attempts.compactMap(\.outcome)
        return (failures.isEmpty ? [error.failure] : failures).allSatisfy(\.isUnavailable)
    }

    /// Whole seconds to wait, rounded up, at least 1.
    private static func seconds(_ retryAfter: RetryAfter) -> Int {
        let delay = retryAfter.delay(atUnixTime: Date().timeIntervalSince1970)
        return max(1, Int(inSeconds(delay).rounded(.up)))
    }
}
