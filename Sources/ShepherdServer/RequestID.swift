import Hummingbird

/// The request's correlation id: the caller's `x-request-id` when it is short and printable,
/// else a random one. Echoed on the response, logged as `request_id` and sent upstream.
enum RequestID {
    static func of(_ request: Request, context: some RequestContext) -> String {
        if let given = request.headers[.requestID], !given.isEmpty, given.utf8.count <= 128,
            given.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
        {
            return given
        }
        // Not `context.id`: it force-unwraps the logger's metadata, which a log handler that
        // keeps none (`SwiftLogNoOpLogHandler`, an embedder's choice) does not have: a crash.
        // Nor the metadata key behind it, which is Hummingbird's own and may change.
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16)
    }
}
