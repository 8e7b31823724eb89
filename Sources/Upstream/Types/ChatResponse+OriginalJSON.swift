public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ChatResponse {
    /// Decodes an answer from an upstream's JSON body and keeps the body, so that an unchanged
    /// answer can be passed on as it came (see ``originalJSON``).
    ///
    /// - Throws: `DecodingError` when the body is not a chat completion.
    public init(json: ByteBuffer) throws {
        self = try JSONDecoder().decode(ChatResponse.self, from: Data(json.readableBytesView))
        // Encoding would write a default the upstream left out: then the bytes are not this answer.
        if original.filledDefaults || choices.contains(where: { $0.original.filledDefaults }) { return }
        original = OriginalJSON(bytes: json, decoded: self)
    }

    /// The JSON this answer was decoded from by ``init(json:)``, while everything that is
    /// encoded still equals what was decoded (``metadata``, never encoded, may change); `nil`
    /// for an answer built in code (a translated Anthropic message), changed since, or whose
    /// JSON lacked a key that encoding fills in (`id`, `object`, `created`, `model`, a choice's
    /// `index` or `finish_reason`).
    ///
    /// The proxy answers with these bytes as they are instead of encoding the answer again.
    public var originalJSON: ByteBuffer? {
        original.bytes { decoded in
            var probe = self
            probe.metadata = decoded.metadata
            return probe == decoded
        }
    }
}
