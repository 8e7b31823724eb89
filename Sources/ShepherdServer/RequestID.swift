import Hummingbird

/// The request's correlation id: the caller's `x-request-id` when it is short and printable,
/// else the id Hummingbird gave the request. Echoed on the response and sent upstream.
enum RequestID {
    static func of(_ request: Request, context: some RequestContext) -> String {
        if let given = request.headers[.requestID], !given.isEmpty, given.utf8.count <= 128,
            given.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
        {
            return given
        }
        // Not `context.id`: it force-unwraps the logger's metadata, which a log handler that
        // keeps none (`SwiftLogNoOpLogHandler`, an embedder's choice) does not have: a crash.
        if let id = context.logger[metadataKey: "hb.request.id"] { return id.description }
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16)
    }
}
