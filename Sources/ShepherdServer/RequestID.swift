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
        return context.id
    }
}
