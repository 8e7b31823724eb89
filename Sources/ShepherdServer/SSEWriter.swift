import Canary
import Hummingbird
import Logging
import Resilience
import Shepherd
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes a routed stream to the caller as OpenAI server-sent events, chunk by chunk.
///
/// Each chunk is written as `data: {chunk}\n\n` as soon as the upstream delivers it (nothing is
/// buffered; an OpenAI-compatible upstream's chunk is written as its bytes came, not re-encoded),
/// and the stream ends with `data: [DONE]\n\n`. When the upstream fails after the first chunk
/// (the commit point: no failover is possible any more) the caller gets an OpenAI-style error
/// event, `data: {"error": {…}}\n\n`, and the stream ends without `[DONE]`: never a silent
/// clean end that would pass a truncated answer off as complete.
///
/// The upstream clients always ask for `stream_options.include_usage` (cost accounting needs
/// it); a caller that did not ask for it does not get the usage-only last chunk, nor `usage`
/// on other chunks.
enum SSEWriter {
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func response(for stream: RoutedStream, includeUsage: Bool, logger: Logger) -> Response {
        var headers = HTTPFields.shepherd(
            path: stream.path, fellBack: stream.fellBack, model: stream.metadata.upstreamModel)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        // Reverse proxies (nginx) must not buffer the stream either.
        headers[.init("x-accel-buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await write(stream, includeUsage: includeUsage, logger: logger, to: &writer)
            })
    }

    // This loop's frame is held by every open stream, so it only awaits: re-encoding, the error
    // event and logging are kept out of line (see `Benchmarks/async-frames.py`).
    private static func write(
        _ stream: RoutedStream, includeUsage: Bool, logger: Logger, to writer: inout any ResponseBodyWriter
    ) async throws {
        var frames = stream.frames()
        while true {
            let next: StreamFrame?
            do {
                next = try await frames.next()
            } catch {
                // The upstream failed mid-stream. A failure to write below (the caller gone) is
                // not caught here: it ends the handler and the stream is recorded as cancelled.
                try await writer.write(failureEvent(frames.failure, path: stream.path, logger: logger))
                try await writer.finish(nil)
                return
            }
            guard let next else { break }
            if let bytes = try bytes(of: next, includeUsage: includeUsage, provider: stream.metadata.provider) {
                try await writer.write(bytes)
            }
        }
        try await writer.write(done)
        try await writer.finish(nil)
    }

    /// The error event that ends a stream whose upstream failed after its first chunk, logged.
    @inline(never)
    private static func failureEvent(_ failure: CallFailure?, path: TrafficPath, logger: Logger) -> ByteBuffer {
        let failure = streamFailure(failure ?? CallFailure(.other), path: path)
        logger.warning(
            "stream failed after its first chunk; ended with an error event",
            metadata: ["shepherd_path": "\(path.rawValue)", "code": "\(failure.code ?? "")"])
        return frame(JSONBody.encode(failure.envelope))
    }

    /// What the caller gets of one frame: its bytes as they came (the common case); for a caller
    /// that did not ask for usage, nothing for the usage-only last chunk and a content chunk that
    /// carries usage encoded again without it.
    static func bytes(of frame: StreamFrame, includeUsage: Bool, provider: String) throws -> ByteBuffer? {
        if includeUsage || frame.usage == nil { return frame.wire }
        return try withoutUsage(frame, provider: provider)
    }

    @inline(never)
    private static func withoutUsage(_ frame: StreamFrame, provider: String) throws -> ByteBuffer? {
        guard frame.hasChoices else { return nil }
        var chunk = try frame.chunk(provider: provider)
        chunk.usage = nil
        return try StreamFrame(chunk).wire
    }

    private static func frame(_ json: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        var json = json
        buffer.writeBuffer(&json)
        buffer.writeString("\n\n")
        return buffer
    }

    /// The error event for an upstream failure after the stream started.
    static func streamFailure(_ failure: CallFailure, path: TrafficPath) -> OpenAIError {
        let label = failure.provider == nil ? failure.failureClass.rawValue : failure.label
        let timedOut = failure.failureClass == .timeout
        return OpenAIError(
            timedOut ? .gatewayTimeout : .badGateway,
            "The \(path.rawValue) upstream failed after the answer had started (\(label)): the answer is incomplete. "
                + "Retry the request.",
            type: "server_error", code: timedOut ? "upstream_timeout" : "stream_interrupted")
    }
}
