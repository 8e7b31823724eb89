import Hummingbird
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An error Shepherd answers itself, in the OpenAI error envelope callers' SDKs understand.
///
/// Every error response of the server — a malformed body, a missing key, an upstream that
/// could not answer — is one of these, rendered as
/// `{"error": {"message": …, "type": …, "param": …, "code": …}}` with its HTTP status.
/// Messages say what went wrong and what to do; none ever carries a key or a token
/// (``OpenAIErrorMiddleware`` also scrubs the server's own secrets from them, as a last line).
///
/// ```swift
/// throw OpenAIError(.badRequest, "`model` is required", param: "model", code: "missing_required_parameter")
/// ```
struct OpenAIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status of the answer.
    var status: HTTPResponse.Status
    /// What went wrong and what to do.
    var message: String
    /// `invalid_request_error`, `authentication_error`, `api_error`, …
    var type: String
    /// The request field at fault, when there is one.
    var param: String?
    /// A machine-readable code (`invalid_api_key`, `upstream_timeout`, …).
    var code: String?
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`, `Allow`, `x-shepherd-path`).
    var headers: HTTPFields

    /// Creates an error.
    init(
        _ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
        param: String? = nil, code: String? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers
    }

    var description: String { "\(status.code) \(type)\(code.map { " (\($0))" } ?? ""): \(message)" }

    /// The envelope.
    var envelope: APIErrorEnvelope {
        APIErrorEnvelope(error: .init(message: message, type: type, param: param, code: code.map(JSONValue.string)))
    }

    /// The response: the envelope as JSON with ``status`` and ``headers``.
    ///
    /// - Parameter redacting: secrets replaced by `[REDACTED]` wherever they appear in the message.
    func response(redacting secrets: [Secret] = []) -> Response {
        var error = self
        error.message = Self.redact(message, secrets)
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONBody.encode(error.envelope)))
    }

    /// `text` with every token that carries a secret replaced by `[REDACTED]` (``SecretRedactor``:
    /// whole tokens, never a letter inside an ordinary word).
    static func redact(_ text: String, _ secrets: [Secret]) -> String {
        SecretRedactor(secrets: secrets).redact(text)
    }
}

// MARK: The errors the server raises itself

extension OpenAIError {
    /// The body is not JSON.
    static func malformedJSON(_ detail: String? = nil) -> OpenAIError {
        OpenAIError(
            .badRequest,
            "We could not parse the JSON body of your request\(detail.map { " (\($0))" } ?? ""). "
                + "Send a JSON object with `Content-Type: application/json`.",
            code: "invalid_json")
    }

    /// A required field is absent or empty.
    static func missing(_ param: String, _ what: String) -> OpenAIError {
        OpenAIError(.badRequest, "`\(param)` is required: \(what).", param: param, code: "missing_required_parameter")
    }

    /// A field has the wrong type or value.
    static func invalid(_ param: String?, _ message: String) -> OpenAIError {
        OpenAIError(.badRequest, message, param: param, code: "invalid_value")
    }

    /// The body is larger than the server accepts.
    static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            .contentTooLarge,
            "The request body is larger than this server accepts (\(limit) bytes); send a smaller request "
                + "or raise `server.maxBodyBytes`.",
            code: "request_too_large")
    }

    /// The server is shutting down and had not finished reading the request: nothing was sent
    /// upstream, so the caller can safely send it again (to another replica, or after the restart).
    static func shuttingDown() -> OpenAIError {
        OpenAIError(
            .serviceUnavailable,
            "Shepherd is shutting down and did not finish reading your request; nothing was sent upstream. "
                + "Send it again.",
            type: "server_error", code: "shutting_down", headers: [.connection: "close", .retryAfter: "1"])
    }

    /// No route at this path.
    static func notFound(_ method: HTTPRequest.Method, _ path: String) -> OpenAIError {
        OpenAIError(.notFound, "Unknown request URL: \(method.rawValue) \(path).", code: "unknown_url")
    }

    /// A route exists at this path, for other methods.
    static func methodNotAllowed(_ method: HTTPRequest.Method, _ path: String, allowed: [HTTPRequest.Method])
        -> OpenAIError
    {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return OpenAIError(
            .methodNotAllowed, "\(method.rawValue) is not allowed on \(path); use \(list).", code: "method_not_allowed",
            headers: [.allow: list])
    }

    /// A bearer token is missing or wrong: the same answer for both, so that a caller learns nothing.
    static func unauthorized(_ message: String) -> OpenAIError {
        OpenAIError(
            .unauthorized, message, type: "invalid_request_error", code: "invalid_api_key",
            headers: [.wwwAuthenticate: "Bearer"])
    }

    /// Something the server did not expect; the detail goes to the log, not to the caller.
    static func internalError(requestID: String) -> OpenAIError {
        OpenAIError(
            .internalServerError, "Shepherd failed to handle the request (request id \(requestID)); see its log.",
            type: "server_error", code: "internal_error")
    }
}
