import Hummingbird
import Logging
import Tracing

/// Logs one line per request: method, route, status, latency, and for proxied calls the path
/// that answered, whether it fell back and the model.
///
/// The line is at `debug` (at `warning` for a 5xx answer): at proxy rates an `info` line per
/// request costs more CPU than the proxying itself, and the metrics carry the same counts.
/// Nothing is built when the level is off.
///
/// A streamed answer is logged when its last byte is written (or the caller goes away), so that
/// its latency is the whole stream's. Headers, bodies and query strings are never logged: a
/// key, a token or an `Authorization` header cannot reach the log through here.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        // Only the await is in this frame, which sits below every open stream: the work around
        // it is kept out of line (see `Benchmarks/async-frames.py`).
        let (request, start, requestID) = Self.stamped(request, context: context)
        return Self.logged(
            try await next(request, context), request: request, requestID: requestID, start: start, context: context)
    }

    /// The request with its id decided (once, here, the outermost of Shepherd's middleware: the
    /// handlers read it back from the header, so the log line, the response, the upstream call
    /// and an error all name one id), and when it started.
    @inline(never)
    private static func stamped(_ request: Request, context: Context) -> (Request, ContinuousClock.Instant, String) {
        let start = ContinuousClock.now
        var head = request.head
        let requestID = RequestID.of(request, context: context)
        head.headerFields[.requestID] = requestID
        return (Request(head: head, body: request.body), start, requestID)
    }

    /// The response with the request id, logged now, or, for a stream, when its body ends.
    /// With the line's level off nothing else is read or wrapped (five header lookups and a
    /// path parse were a measurable part of a short answer's CPU).
    @inline(never)
    private static func logged(
        _ response: Response, request: Request, requestID: String, start: ContinuousClock.Instant, context: Context
    ) -> Response {
        var response = response
        response.headers[.requestID] = requestID
        guard context.logger.logLevel <= Line.level(status: response.status.code) else { return response }
        let line = Line(
            method: request.method.rawValue, route: request.uri.path, status: response.status.code,
            requestID: requestID, shepherdPath: response.headers[.shepherdPath],
            fallback: response.headers[.shepherdFallback], model: response.headers[.shepherdModel])
        let logger = context.logger
        if response.headers[.contentType] == "text/event-stream" {
            // A stream's line is logged after the handler returned, outside the request's span:
            // its context is carried along so that the line still names the trace.
            let traceContext = InstrumentationContext.current
            let body = response.body
            response.body = ResponseBody { writer in
                do {
                    try await body.write(writer)
                    line.log(to: logger, latency: start.duration(to: .now), outcome: "complete", in: traceContext)
                } catch {
                    line.log(to: logger, latency: start.duration(to: .now), outcome: "client_gone", in: traceContext)
                    throw error
                }
            }
        } else {
            line.log(to: logger, latency: start.duration(to: .now), outcome: nil, in: nil)
        }
        return response
    }

    struct Line: Sendable {
        var method: String
        var route: String
        var status: Int
        var requestID: String
        var shepherdPath: String?
        var fallback: String?
        var model: String?

        /// A 5xx answer is a warning, any other a debug line.
        static func level(status: Int) -> Logger.Level { status >= 500 ? .warning : .debug }

        /// Logs the line; ``logged(_:request:requestID:start:context:)`` builds one only when its
        /// level is on.
        func log(to logger: Logger, latency: Duration, outcome: String?, in traceContext: InstrumentationContext?) {
            let level = Self.level(status: status)
            guard let traceContext, InstrumentationContext.current == nil else {
                return log(to: logger, level: level, latency: latency, outcome: outcome)
            }
            InstrumentationContext.$current.withValue(traceContext) {
                log(to: logger, level: level, latency: latency, outcome: outcome)
            }
        }

        func log(to logger: Logger, level: Logger.Level, latency: Duration, outcome: String?) {
            var metadata: Logger.Metadata = [
                "status": "\(status)",
                "latency_ms": "\(Self.milliseconds(latency))",
                "request_id": "\(requestID)",
            ]
            if let shepherdPath { metadata["shepherd_path"] = "\(shepherdPath)" }
            if let fallback { metadata["fallback"] = "\(fallback)" }
            if let model { metadata["model"] = "\(model)" }
            if let outcome { metadata["stream"] = "\(outcome)" }
            logger.log(level: level, "\(method) \(route) \(status)", metadata: metadata)
        }

        static func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
            return String(Int(millis.rounded()))
        }
    }
}
