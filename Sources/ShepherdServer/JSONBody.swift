import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON in and out of request and response bodies.
enum JSONBody {
    /// Encodes a value (sorted keys for stable output); encoding our own types cannot fail.
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ByteBuffer(bytes: try encoder.encode(value))
        } catch {
            return ByteBuffer(
                string:
                    #"{"error":{"message":"response could not be encoded","type":"server_error","param":null,"code":"internal_error"}}"#
            )
        }
    }

    /// A `200 OK` (or `status`) JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: encode(value)))
    }

    /// A `200 OK` response whose body is JSON that is already encoded.
    static func response(json: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: json))
    }

    /// Decodes `T` from a body.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// Reads a body of at most `limit` bytes; larger gets ``OpenAIError/bodyTooLarge(limit:)`` (413).
    ///
    /// A `Content-Length` over the limit is refused before a byte is read. A graceful shutdown
    /// ends a read still waiting for its body: ``StuckUploadHandler`` answers 503 `shutting_down`
    /// and closes the connection, which ends the read here.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
        do {
            let body = try await request.body.collect(upTo: limit)
            // A cancelled read may end early instead of throwing: a body read while the task was
            // cancelled is not used.
            if Task.isCancelled { throw CancellationError() }
            return body
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
    }

    /// A readable explanation of a decoding failure: the field path and what was wrong.
    /// A Swift type as a JSON client knows it: `an object`, not `Dictionary<String, Any>`.
    static func jsonName(of type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "String": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int64", "Int32", "UInt", "UInt64", "UInt32": return "an integer"
        case "Double", "Float", "Decimal": return "a number"
        default:
            if name.hasPrefix("Dictionary") || name.hasPrefix("[String") && name.contains(":") { return "an object" }
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
            return "a JSON value of another type"
        }
    }

    static func explain(_ error: any Error) -> (param: String?, message: String) {
        guard let error = error as? DecodingError else { return (nil, "the body does not match the expected shape") }
        func path(_ codingPath: [any CodingKey]) -> String? {
            let parts = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            let joined = parts.joined()
            guard !joined.isEmpty else { return nil }
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return (at, "`\(at ?? key.stringValue)` is required")
        case .typeMismatch(let type, let context):
            let at = path(context.codingPath)
            return (at, "`\(at ?? "body")` has the wrong type (expected \(jsonName(of: type)))")
        case .valueNotFound(let type, let context):
            let at = path(context.codingPath)
            return (at, "`\(at ?? "body")` must not be null (expected \(jsonName(of: type)))")
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return (at, "`\(at ?? "body")` is invalid: \(context.debugDescription)")
        @unknown default:
            return (nil, "the body does not match the expected shape")
        }
    }
}
