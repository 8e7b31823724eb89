import Hummingbird
import Logging
import NIOHTTP1
import Upstream

/// Turns every error into an OpenAI error envelope with the right status.
///
/// ``OpenAIError``s are rendered as they are; the router's "no route" becomes 404, or 405 with
/// `Allow` when the path exists for other methods; Hummingbird's own HTTP errors keep their
/// status; anything else is a 500 whose detail goes to the log, not to the caller. The server's
/// own secrets (admin token, client keys) are scrubbed from every message, as a last line of
/// defence: no message is built from them in the first place.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable
    let secrets: [Secret]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            return response(for: error, request: request, context: context)
        }
    }

    /// The envelope for `error`. Out of line: `handle`'s frame is below every open stream, and
    /// stays small without the error path in it (see `Benchmarks/async-frames.py`).
    @inline(never)
    private func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as OpenAIError:
            return error.response(redacting: secrets)
        case let error as HTTPError where error.status == .notFound:
            let path = request.uri.path
            let allowed = routes.methods(at: path)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                return OpenAIError.methodNotAllowed(request.method, path, allowed: allowed).response(redacting: secrets)
            }
            return OpenAIError.notFound(request.method, path).response(redacting: secrets)
        case let error as HTTPError:
            let message = error.body ?? error.status.reasonPhrase
            return OpenAIError(error.status, message, headers: error.headers).response(redacting: secrets)
        case let error as any HTTPResponseError:
            return OpenAIError(error.status, error.status.reasonPhrase).response(redacting: secrets)
        case let error as HTTPParserError:
            // The client sent less than it announced (a Content-Length longer than the body, then
            // a close) or bytes that are not HTTP: its request is at fault, not Shepherd.
            context.logger.debug("malformed request: \(error)")
            return OpenAIError(
                .badRequest, "The request is not valid HTTP: \(error) (a body shorter than its Content-Length?).",
                code: "malformed_request"
            ).response(redacting: secrets)
        default:
            let requestID = RequestID.of(request, context: context)
            context.logger.error(
                "unhandled error: \(OpenAIError.redact(String(describing: error), secrets))",
                metadata: ["request_id": "\(requestID)"])
            return OpenAIError.internalError(requestID: requestID).response(redacting: secrets)
        }
    }
}
