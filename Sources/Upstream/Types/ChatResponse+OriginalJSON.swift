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
    /// The body is read by a scan (see ``init(scanning:)``) and, only when the scan declines it,
    /// by `JSONDecoder` (``init(decoding:)``): the same value either way.
    ///
    /// - Throws: `DecodingError` when the body is not a chat completion.
    public init(json: ByteBuffer) throws {
        self = try Self(scanning: json) ?? Self(decoding: json)
    }

    /// Reads an answer from an upstream's JSON body with a single pass over the bytes, keeping
    /// the body as ``init(json:)`` does; `nil` when the scan leaves the body to `JSONDecoder`
    /// (see ``ChatRequest/init(scanning:)``).
    public init?(scanning json: ByteBuffer) {
        guard let response = Self.scanned(json: json) else { return nil }
        self = response
        keep(json)
    }

    /// Decodes an answer from an upstream's JSON body with `JSONDecoder`, keeping the body as
    /// ``init(json:)`` does. Its errors say what is wrong with a body the scan declined.
    ///
    /// - Throws: `DecodingError` when the body is not a chat completion.
    public init(decoding json: ByteBuffer) throws {
        self = try JSONDecoder().decode(ChatResponse.self, from: Data(json.readableBytesView))
        keep(json)
    }

    private mutating func keep(_ json: ByteBuffer) {
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
