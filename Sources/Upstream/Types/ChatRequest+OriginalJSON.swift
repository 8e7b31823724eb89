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
    /// - Throws: `DecodingError` when the body is not a chat request.
    public init(json: ByteBuffer) throws {
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
