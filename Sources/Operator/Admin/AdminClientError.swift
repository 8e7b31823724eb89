/// A failed call to a Shepherd server's admin API, worded for the operator who has to act on it.
///
/// Each ``Code`` has its own process exit code (``exitCode``), so that a script or a runbook can
/// tell "the server is down" from "the token is wrong" from "the ramp refused" without parsing
/// text. The description never contains the admin token.
///
/// | code | exit | when |
/// | --- | --- | --- |
/// | ``Code/unreachable`` | 3 | no answer: refused, timed out, bad host |
/// | ``Code/missingToken`` | 4 | no token given (`--token`, `SHEPHERD_ADMIN_TOKEN`) |
/// | ``Code/unauthorized`` | 5 | 401: the server refused the token |
/// | ``Code/adminDisabled`` | 6 | 404: the server runs without an admin token |
/// | ``Code/notAllowed`` | 7 | 409: the rollout's phase does not allow the command |
/// | ``Code/storeUnavailable`` | 8 | 503: the command could not be recorded, nothing changed |
/// | ``Code/server`` | 9 | any other error status |
/// | ``Code/invalidResponse`` | 10 | a 200 whose body is not what the API documents |
/// | ``Code/invalidURL`` | 11 | the URL is not `http(s)://host:port` |
public struct AdminClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case unreachable
        case missingToken
        case unauthorized
        case adminDisabled
        case notAllowed
        case storeUnavailable
        case server
        case invalidResponse
        case invalidURL
    }

    /// What went wrong.
    public var code: Code
    /// The server's base URL.
    public var url: String
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// The server's own message (its OpenAI error envelope's `message`), or the transport's reason.
    public var detail: String

    /// Creates an error.
    public init(code: Code, url: String, httpStatus: Int? = nil, detail: String = "") {
        self.code = code
        self.url = url
        self.httpStatus = httpStatus
        self.detail = detail
    }

    /// The process exit code for this error (see the table above).
    public var exitCode: Int32 {
        switch code {
        case .unreachable: 3
        case .missingToken: 4
        case .unauthorized: 5
        case .adminDisabled: 6
        case .notAllowed: 7
        case .storeUnavailable: 8
        case .server: 9
        case .invalidResponse: 10
        case .invalidURL: 11
        }
    }

    /// One or two sentences: what happened and what to do.
    public var description: String {
        switch code {
        case .unreachable:
            return "cannot reach the Shepherd server at \(url) (\(detail)). "
                + "Is `shepherd serve` running there? Point --url or SHEPHERD_URL at its listen address."
        case .missingToken:
            return
                "no admin token: pass --token or set SHEPHERD_ADMIN_TOKEN to the token `shepherd serve` was started with."
        case .unauthorized:
            return "the server at \(url) refused the admin token (401). "
                + "Check that SHEPHERD_ADMIN_TOKEN (or --token) is the one `shepherd serve` was started with."
        case .adminDisabled:
            return "the server at \(url) has no admin API (404): `shepherd serve` was started without "
                + "SHEPHERD_ADMIN_TOKEN (restart it with the variable set to enable /admin), or this is not a Shepherd server."
        case .notAllowed:
            return "refused: \(detail)"
        case .storeUnavailable:
            return "the server could not record the command, nothing changed (503): \(detail)"
        case .server:
            return "the server at \(url) answered \(httpStatus.map(String.init) ?? "an error"): \(detail)"
        case .invalidResponse:
            return "the answer from \(url) could not be read: \(detail). Is it a Shepherd server of the same version?"
        case .invalidURL:
            return
                "not a server URL: \"\(url)\": use http://HOST:PORT, e.g. http://127.0.0.1:8080 (--url or SHEPHERD_URL)"
        }
    }
}
