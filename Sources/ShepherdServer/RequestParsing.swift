import Hummingbird
import Upstream

/// Turns request bodies into wire types, or into the 400 that says exactly what is wrong.
///
/// A chat body is first read by ``ChatRequest/init(scanning:)``: one pass over the bytes, which
/// reads the common body whole (strict JSON, no key twice) into the value `JSONDecoder` would
/// give, at a fraction of its cost. A body that scan declines is scanned for its routed fields
/// (``ChatRequestScan``: a few microseconds, no allocation per value), which holds it to JSON as
/// upstreams read it: Foundation's decoder accepts trailing
/// commas and reads a key written twice as its first occurrence, where most upstreams take the
/// last, so `{"model":"a","model":"b"}` would be routed and priced as one model and answered by
/// another. Then it is decoded once; only when that fails is it read again as plain JSON to tell
/// a malformed body from a missing `model` or empty `messages`.
enum RequestParsing {
    /// A chat request with a model and at least one message.
    static func chatRequest(from body: ByteBuffer) throws -> ChatRequest {
        if let request = ChatRequest(scanning: body) {
            try checkChat(request)
            return request
        }
        do {
            _ = try ChatRequestScan(json: body)
        } catch {
            if let key = error.repeatedKey {
                throw OpenAIError.invalid(
                    key, "`\(key)` appears twice in the body; send it once (upstreams differ on which one counts).")
            }
            // What Foundation cannot read either gets the usual messages below; what only it
            // reads (a trailing comma, UTF-16) is not JSON an upstream would take.
            if (try? JSONBody.decode(JSONValue.self, from: body)) != nil {
                throw OpenAIError.malformedJSON(error.description)
            }
        }
        // Keeps the body: an unchanged request is forwarded upstream as the caller sent it.
        return try decode(body, ChatRequest(decoding: body), check: checkChat) { fields in
            guard let messages = fields["messages"], messages != .null else {
                throw OpenAIError.missing("messages", "send the conversation as an array of messages")
            }
            guard case .array(let list) = messages else {
                throw OpenAIError.invalid("messages", "`messages` must be an array of messages.")
            }
            if list.isEmpty { throw OpenAIError.missing("messages", "send at least one message") }
        }
    }

    private static func checkChat(_ request: ChatRequest) throws {
        if request.model.isEmpty { throw OpenAIError.missing("model", "name the model to call, e.g. \"gpt-4.1\"") }
        if request.messages.isEmpty { throw OpenAIError.missing("messages", "send at least one message") }
    }

    /// An embeddings request with a model and an input.
    static func embeddingRequest(from body: ByteBuffer) throws -> EmbeddingRequest {
        try decode(body, JSONBody.decode(EmbeddingRequest.self, from: body)) { request in
            if request.model.isEmpty { throw OpenAIError.missing("model", "name the embedding model to call") }
        } explain: { fields in
            if fields["input"] == nil || fields["input"] == .null {
                throw OpenAIError.missing("input", "send a string or an array of strings to embed")
            }
        }
    }

    /// A decoded request that `check` accepts; when decoding fails, the body is read again as plain
    /// JSON, and the first of these that applies is the 400: not a JSON object, no usable `model`,
    /// what `explain` finds in the fields, else the decoder's own error.
    private static func decode<Request>(
        _ body: ByteBuffer, _ decoded: @autoclosure () throws -> Request, check: (Request) throws -> Void,
        explain: ([String: JSONValue]) throws -> Void
    ) throws -> Request {
        do {
            let request = try decoded()
            try check(request)
            return request
        } catch let error as OpenAIError {
            throw error
        } catch {
            let fields = try object(body)
            try requireModel(fields)
            try explain(fields)
            let (param, message) = JSONBody.explain(error)
            throw OpenAIError.invalid(param, "Invalid request: \(message).")
        }
    }

    /// The body as a JSON object, or 400.
    private static func object(_ body: ByteBuffer) throws -> [String: JSONValue] {
        let json: JSONValue
        do {
            json = try JSONBody.decode(JSONValue.self, from: body)
        } catch {
            throw OpenAIError.malformedJSON(body.readableBytes == 0 ? "the body is empty" : nil)
        }
        guard case .object(let fields) = json else {
            throw OpenAIError.invalid(nil, "The body must be a JSON object.")
        }
        return fields
    }

    private static func requireModel(_ fields: [String: JSONValue]) throws {
        guard let model = fields["model"], model != .null else {
            throw OpenAIError.missing("model", "name the model to call, e.g. \"gpt-4.1\"")
        }
        guard case .string(let name) = model, !name.isEmpty else {
            throw OpenAIError.invalid("model", "`model` must be a non-empty string.")
        }
    }
}
