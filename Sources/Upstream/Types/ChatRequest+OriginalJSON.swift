public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ChatRequest {
    /// Decodes a request from its JSON body and keeps the body, so that an unchanged request
    /// can be forwarded as it came (see ``originalJSON``).
    ///
    /// ```swift
    /// let request = try ChatRequest(json: body)      // what a proxy received
    /// request.originalJSON                           // body, until the request is changed
    /// ```
    ///
    /// The body is read by a scan (see ``init(scanning:)``) and, only when the scan declines it,
    /// by `JSONDecoder` (``init(decoding:)``): the same value either way.
    ///
    /// - Throws: `DecodingError` when the body is not a chat request.
    public init(json: ByteBuffer) throws {
        self = try Self(scanning: json) ?? Self(decoding: json)
    }

    /// Reads a request from its JSON body with a single pass over the bytes, keeping the body as
    /// ``init(json:)`` does; `nil` when the scan leaves the body to `JSONDecoder`: anything that
    /// is not strict JSON, a key written twice, a number that is not written plainly, a value of
    /// the wrong type, a required key missing.
    public init?(scanning json: ByteBuffer) {
        guard let request = Self.scanned(json: json) else { return nil }
        self = request
        original = OriginalJSON(bytes: json, decoded: self)
    }

    /// Decodes a request from its JSON body with `JSONDecoder`, keeping the body as
    /// ``init(json:)`` does. Its errors say what is wrong with a body the scan declined.
    ///
    /// - Throws: `DecodingError` when the body is not a chat request.
    public init(decoding json: ByteBuffer) throws {
        self = try JSONDecoder().decode(ChatRequest.self, from: Data(json.readableBytesView))
        original = OriginalJSON(bytes: json, decoded: self)
    }

    /// The JSON this request was decoded from by ``init(json:)``, while the request still equals
    /// what was decoded; `nil` for a request built in code or changed since.
    ///
    /// An OpenAI-compatible provider sends these bytes as they are (unknown fields, number
    /// formats and key order intact) instead of encoding the request again.
    public var originalJSON: ByteBuffer? {
        original.bytes { $0 == self }
    }
}
