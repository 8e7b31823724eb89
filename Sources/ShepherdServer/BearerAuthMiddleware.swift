import Hummingbird
import Upstream

/// Lets a request through only with `Authorization: Bearer <one of the secrets>`.
///
/// Used twice: for the client keys on `/v1/*` and for the admin token on `/admin/*`. A missing
/// header, another scheme and a wrong token all get the same 401 (an OpenAI envelope with
/// `invalid_api_key`), so a caller learns nothing from the difference; every secret is compared
/// in constant time, and all of them, so that the time taken does not tell which one was close.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let secrets: [Secret]
    let failure: OpenAIError

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let token = Self.bearerToken(request.headers[.authorization]), Self.matchesAny(secrets, token) else {
            throw failure
        }
        return try await next(request, context)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), else `nil`.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let trimmed = trim(Substring(header))
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trim(trimmed.dropFirst(7))
        return token.isEmpty ? nil : String(token)
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[first...last]
    }

    static func matchesAny(_ secrets: [Secret], _ candidate: String) -> Bool {
        var matched = false
        for secret in secrets {
            matched = secret.matches(candidate) || matched
        }
        return matched
    }
}
