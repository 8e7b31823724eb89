import Canary
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OpenAI chat-completions events: one JSON chunk per event, `[DONE]` at the end,
/// and possibly an `{"error": …}` object in place of a chunk.
///
/// Chunks pass through: each is scanned (``ChatChunkScan``: valid JSON, the shape of a chunk,
/// `usage`, empty `choices`, an error) and written on as it came, never decoded and encoded
/// again. Only the usage object (once per stream, scanned, see ``WireScannable``) and an error
/// event are decoded.
struct OpenAIStreamTranslator: EventStreamTranslator {
    let provider: String
    private(set) var isFinished = false
    var terminalEventName: String { "[DONE]" }

    init(provider: String) {
        self.provider = provider
    }

    mutating func translate(event: String?, data: UnsafeRawBufferPointer, into frames: inout [StreamFrame]) throws {
        if Self.isDone(data) {
            isFinished = true
            return
        }
        let scan: ChatChunkScan
        do {
            scan = try ChatChunkScan(bytes: data)
        } catch {
            if event == "error" { throw Self.unreadableError(data, provider: provider) }
            throw malformed(error.description)
        }
        if event == "error" || scan.hasError {
            if let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: Data(data)) {
                throw Self.streamError(envelope.error, provider: provider)
            }
            if event == "error" { throw Self.unreadableError(data, provider: provider) }
        }
        let usage = try scan.usageRange.map { try self.usage(UnsafeRawBufferPointer(rebasing: data[$0])) }
        frames.append(
            StreamFrame(
                wire: Self.wire(data), usage: usage, hasChoices: scan.choiceCount > 0,
                model: scan.model.flatMap { $0.isEmpty ? nil : $0 }, typed: nil))
    }

    /// The usage object of a chunk: scanned (``WireScannable``), and decoded by `JSONDecoder` only
    /// when the scan declines it, so that a usage JSONDecoder refuses is refused with its reason.
    private func usage(_ json: UnsafeRawBufferPointer) throws -> Usage {
        if let usage = Usage.scanned(bytes: json) { return usage }
        do {
            return try JSONDecoder().decode(Usage.self, from: Data(json))
        } catch {
            throw malformed("its usage is not valid: " + UpstreamTransport.shortDescription(of: error))
        }
    }

    /// `data: ` + the JSON + a blank line. A JSON event split over several `data:` lines was
    /// joined with line feeds, which are whitespace between its tokens (a string cannot hold a
    /// raw one): they become spaces so the event stays one line.
    static func wire(_ json: UnsafeRawBufferPointer) -> ByteBuffer {
        var wire = ByteBuffer()
        wire.reserveCapacity(json.count + 8)
        wire.writeStaticString(StreamFrame.prefix)
        let start = wire.writerIndex
        wire.writeBytes(json)
        if json.contains(UInt8(ascii: "\n")) {
            for offset in 0..<json.count where json[offset] == UInt8(ascii: "\n") {
                wire.setInteger(UInt8(ascii: " "), at: start + offset)
            }
        }
        wire.writeStaticString("\n\n")
        return wire
    }

    private static func isDone(_ data: UnsafeRawBufferPointer) -> Bool {
        guard data.count == 6 else { return false }
        return data.elementsEqual("[DONE]".utf8)
    }

    private func malformed(_ reason: String) -> ProviderError {
        Self.malformedChunk(reason, provider: provider)
    }

    /// An event that is not a chat.completion.chunk: a malformed answer, which the upstream may
    /// have completed.
    static func malformedChunk(_ reason: String, provider: String) -> ProviderError {
        ProviderError(
            code: .malformedResponse, failureClass: UpstreamTransport.unreadableAnswerClass, provider: provider,
            message: "stream event is not a valid chat.completion.chunk: " + reason, upstreamMayHaveCompleted: true)
    }

    /// An `event: error` whose data is not an error object: still an upstream failure.
    private static func unreadableError(_ data: UnsafeRawBufferPointer, provider: String) -> ProviderError {
        ProviderError(
            code: .streamError, failureClass: .serverError, provider: provider,
            message: "error event: " + String(decoding: data.prefix(200), as: UTF8.self))
    }

    /// Classifies an error reported inside a stream by its type or code.
    static func streamError(_ body: APIErrorEnvelope.Body, provider: String) -> ProviderError {
        let type = body.type ?? body.code?.stringValue
        let text = (type ?? "") + " " + (body.code?.stringValue ?? "")
        let failureClass: FailureClass
        if text.contains("rate_limit") {
            failureClass = .rateLimited
        } else if text.contains("timeout") {
            failureClass = .timeout
        } else if text.contains("auth") || text.contains("permission") || text.contains("api_key") {
            failureClass = .authError
        } else if text.contains("invalid_request") || text.contains("not_found") {
            failureClass = .clientError
        } else {
            failureClass = .serverError
        }
        return ProviderError(
            code: .streamError, failureClass: failureClass, provider: provider, message: body.message,
            upstreamType: type)
    }
}
