public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One chunk of a streamed answer as it goes to the caller: the server-sent event's bytes, ready
/// to write, and what Shepherd reads of it.
///
/// An OpenAI-compatible upstream's chunk passes through as it came: its JSON is scanned (for
/// `usage`, empty `choices`, an error) but not decoded, and ``wire`` is `data: {its JSON}\n\n`.
/// A translated chunk (Anthropic) is encoded once, when the frame is made. ``chunk()`` decodes
/// the typed value on demand, for callers that read the text.
///
/// ```swift
/// for try await frame in stream.frames() {
///     try await writer.write(frame.wire)           // bytes as the upstream sent them
///     if let usage = frame.usage { print(usage.totalTokens) }
/// }
/// ```
public struct StreamFrame: Sendable {
    /// The event as written to the caller: `data: ` + the chunk's JSON + a blank line.
    public let wire: ByteBuffer
    /// Whether the chunk has at least one choice (the usage-only last chunk has none).
    public let hasChoices: Bool
    /// The chunk's `model`, when the upstream named one.
    public let model: String?
    /// What few frames carry (usage, a typed chunk), behind one reference: a frame is a value
    /// that every async function on a stream's way holds, and those values live in the frames
    /// of the stream's task for as long as it is open. Inline, `Usage?` and `ChatChunk?` made a
    /// frame about 400 bytes; boxed, it is a few words.
    private let extras: Extras?

    private final class Extras: Sendable {
        let usage: Usage?
        let typed: ChatChunk?

        init(usage: Usage?, typed: ChatChunk?) {
            self.usage = usage
            self.typed = typed
        }
    }

    /// The chunk's `usage`, when it carries one.
    public var usage: Usage? { extras?.usage }
    /// The typed chunk, when the frame was made from one; `nil` for bytes that were scanned,
    /// not decoded.
    var typed: ChatChunk? { extras?.typed }

    init(wire: ByteBuffer, usage: Usage?, hasChoices: Bool, model: String?, typed: ChatChunk?) {
        self.wire = wire
        self.hasChoices = hasChoices
        self.model = model
        self.extras = usage == nil && typed == nil ? nil : Extras(usage: usage, typed: typed)
    }

    static let prefix: StaticString = "data: "

    /// The chunk's JSON: ``wire`` without the `data: ` prefix and the blank line.
    public var json: ByteBuffer {
        wire.getSlice(at: wire.readerIndex + 6, length: wire.readableBytes - 8) ?? ByteBuffer()
    }

    /// The typed chunk: the one the frame was made from, else the JSON decoded.
    /// - Throws: `DecodingError` when the JSON is not a chat.completion.chunk.
    public func chunk() throws -> ChatChunk {
        if let typed { return typed }
        return try JSONDecoder().decode(ChatChunk.self, from: Data(json.readableBytesView))
    }

    /// ``chunk()``, failing as `provider`'s malformed answer (class `serverError`): a chunk that
    /// passed the scan but does not decode is what it was when every chunk was decoded.
    public func chunk(provider: String) throws(ProviderError) -> ChatChunk {
        do {
            return try chunk()
        } catch {
            throw OpenAIStreamTranslator.malformedChunk(
                UpstreamTransport.shortDescription(of: error), provider: provider)
        }
    }

    /// The encoder frames use: no escaped slashes, like the upstreams.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}

extension StreamFrame {
    /// A frame for a typed chunk: encodes it.
    /// - Throws: `EncodingError` (not for chunks Shepherd builds).
    public init(_ chunk: ChatChunk, encoder: JSONEncoder = StreamFrame.encoder()) throws {
        let json = try encoder.encode(chunk)
        var wire = ByteBuffer()
        wire.reserveCapacity(json.count + 8)
        wire.writeStaticString(Self.prefix)
        wire.writeBytes(json)
        wire.writeStaticString("\n\n")
        self.init(
            wire: wire, usage: chunk.usage, hasChoices: !chunk.choices.isEmpty,
            model: chunk.model.isEmpty ? nil : chunk.model, typed: chunk)
    }
}
