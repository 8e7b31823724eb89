import AsyncHTTPClient
import Canary
import Instrumentation
import Logging
import NIOCore
import NIOHTTP1
import Resilience

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The HTTP plumbing both providers share: headers, deadlines, bounded bodies, error mapping.
struct UpstreamTransport: Sendable {
    let client: HTTPClient
    let provider: String
    let kind: ProviderKind
    let baseURL: String
    /// The requests answers are fetched with, by path, their URL parsed and taken apart once:
    /// ``fetch(_:path:body:context:)`` only sets a copy's headers and body (building the request
    /// from `baseURL + path` took about 2% of the process's CPU under short answers).
    private let fetchRequests: [String: HTTPClient.Request]
    private static let fetchedPaths: [(HTTPMethod, String)] = [
        (.POST, "/chat/completions"), (.POST, "/messages"), (.POST, "/embeddings"), (.GET, "/models"),
    ]
    /// `host:port` of the configured URL, named in connection failures.
    let display: String
    /// Connection settings that cannot work: every call fails with this.
    let problem: UpstreamConfigurationError?
    let headers: HTTPHeaders
    /// The API key, kept only to redact it from anything the upstream echoes back.
    let secret: String?
    let timeout: Duration
    let maxResponseBytes: Int

    static let maxErrorBodyBytes = 64 * 1024

    /// What nginx answers (with a 400) when mutual TLS fails at the HTTP level.
    static let clientCertificateRefusals = [
        "No required SSL certificate was sent", "The SSL certificate error", "SSL certificate error",
    ]

    /// Whether ``client`` was made here, for this provider alone, and is shut down with it.
    let ownsClient: Bool

    /// A provider's transport: over `httpClient` when one is given (its owner shuts it down),
    /// else over a client of its own made from `connection`.
    init(
        provider: String, kind: ProviderKind, baseURL: String, connection: UpstreamConnection, headers: HTTPHeaders,
        secret: Secret?, httpClient: HTTPClient?
    ) {
        let endpoint = UpstreamEndpoint(baseURL: baseURL, tls: connection.tls, name: provider)
        self.client = httpClient ?? .upstream(connection, endpoint: endpoint)
        self.ownsClient = httpClient == nil
        self.provider = provider
        self.kind = kind
        self.display = endpoint.display
        self.problem = endpoint.problem
        var base = endpoint.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        var requests: [String: HTTPClient.Request] = [:]
        for (method, path) in Self.fetchedPaths {
            requests[path] = try? HTTPClient.Request(url: base + path, method: method)
        }
        self.fetchRequests = requests
        self.headers = headers
        let key = secret?.reveal() ?? ""
        self.secret = key.isEmpty ? nil : key
        self.timeout = connection.timeout
        self.maxResponseBytes = connection.maxResponseBytes
    }

    /// Shuts down the HTTP client if it is this transport's own; a shared client is left alone.
    func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    // MARK: Requests

    /// Sends a request and returns the response head once it is a success; a failure status throws.
    ///
    /// For streams: the call's timeout (AsyncHTTPClient's deadline) bounds the time to the
    /// response head; the body is bounded by the client's read idle timeout (the provider's
    /// `readIdleTimeout`, else its `timeout`).
    func send(
        _ method: HTTPMethod, path: String, body: ByteBuffer?, context: CallContext, accept: String = "application/json"
    ) async throws -> HTTPClientResponse {
        let request = try streamingRequest(method, path: path, body: body, context: context, accept: accept)
        // NIO's `TimeAmount(_: Duration)` saturates at `Int64.max` nanoseconds, and so does `+`.
        let deadline = NIODeadline.now() + TimeAmount(context.timeout ?? timeout)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw mapError(error)
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await statusError(response)
        }
        return response
    }

    /// The request ``send(_:path:body:context:accept:)`` makes. Out of line, to keep the calling
    /// async frame small (see `Benchmarks/async-frames.py`).
    @inline(never)
    private func streamingRequest(
        _ method: HTTPMethod, path: String, body: ByteBuffer?, context: CallContext, accept: String
    ) throws(ProviderError) -> HTTPClientRequest {
        if let problem { throw configurationFailure(problem) }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers = requestHeaders(context, hasBody: body != nil, accept: accept)
        if let body { request.body = .bytes(body) }
        return request
    }

    /// Sends a request and reads its whole answer, bounded by ``maxResponseBytes`` and by the
    /// call's timeout (``CallContext/timeout``, else ``timeout``); a failure status throws.
    ///
    /// The timeout is AsyncHTTPClient's own deadline on the request task, which covers the
    /// whole answer, body included: a timer on the client's event loop, cancelled when the
    /// answer is in. No Swift task races the call and nothing sleeps (a cancelled `Task.sleep`
    /// keeps its timer until its deadline on Linux, which under load adds up to hundreds of
    /// megabytes), and the answer is collected on the event loop, with no hop per body part.
    /// Cancelling the calling task cancels the request.
    func fetch(_ method: HTTPMethod, path: String, body: ByteBuffer?, context: CallContext) async throws -> Answer {
        if let problem { throw configurationFailure(problem) }
        let request: HTTPClient.Request
        do {
            let headers = requestHeaders(context, hasBody: body != nil)
            let payload = body.map { HTTPClient.Body.byteBuffer($0) }
            if var template = fetchRequests[path], template.method == method {
                template.headers = headers
                template.body = payload
                request = template
            } else {
                request = try HTTPClient.Request(url: baseURL + path, method: method, headers: headers, body: payload)
            }
        } catch {
            throw ProviderError(
                code: .invalidRequest, failureClass: .clientError, provider: provider,
                message: "invalid upstream URL: \(Self.shortDescription(of: error))")
        }
        let limit = context.timeout ?? timeout
        let task = client.execute(
            request: request, delegate: ResponseAccumulator(request: request, maxBodySize: maxResponseBytes),
            eventLoop: .indifferent, deadline: NIODeadline.now() + TimeAmount(limit), logger: nil)
        let response: HTTPClient.Response
        do {
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch let error as ResponseAccumulator.ResponseTooBigError {
            throw ProviderError(
                code: .responseTooLarge, failureClass: .other, provider: provider,
                message: "answer larger than \(error.maxBodySize) bytes")
        } catch let error as HTTPClientError where error == .deadlineExceeded && !Task.isCancelled {
            throw ProviderError(
                code: .timeout, failureClass: .timeout, provider: provider,
                message: "no complete answer within \(limit)",
                upstreamMayHaveCompleted: true)
        } catch {
            throw mapError(error)
        }
        let answer = Answer(
            status: Int(response.status.code), headers: response.headers, body: response.body ?? ByteBuffer())
        guard (200..<300).contains(answer.status) else {
            throw statusError(status: answer.status, headers: answer.headers, body: answer.body)
        }
        return answer
    }

    /// A whole answer: status, headers and body.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// The provider's headers, the call's request id and extra headers, `accept` and `content-type`.
    private func requestHeaders(_ context: CallContext, hasBody: Bool, accept: String = "application/json")
        -> HTTPHeaders
    {
        var headers = headers
        headers.replaceOrAdd(name: "accept", value: accept)
        if hasBody { headers.replaceOrAdd(name: "content-type", value: "application/json") }
        if let requestID = context.requestID { headers.replaceOrAdd(name: "x-request-id", value: requestID) }
        for (name, value) in context.headers { headers.replaceOrAdd(name: name, value: value) }
        // The caller's trace (the router's attempt span) continues upstream as a W3C `traceparent`,
        // through whichever instrument is bootstrapped. No context is current when tracing is off.
        if let trace = InstrumentationContext.current {
            InstrumentationSystem.instrument.inject(trace, into: &headers, using: TraceHeadersInjector())
        }
        return headers
    }

    // MARK: JSON

    func encode(_ value: some Encodable) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(value))
        } catch {
            throw ProviderError(
                code: .invalidRequest, failureClass: .clientError, provider: provider,
                message: "request could not be encoded: \(error)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, status: Int) throws -> T {
        try decoding(type, status: status, body: buffer) {
            try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        }
    }

    /// Runs a decoding step, turning its failure into ``ProviderError/Code/malformedResponse``.
    func decoding<T>(_ type: T.Type, status: Int, body: ByteBuffer, _ decode: () throws -> T) throws -> T {
        do {
            return try decode()
        } catch {
            throw malformed(
                "answer is not a valid \(T.self): \(Self.shortDescription(of: error))", body: body, status: status)
        }
    }

    /// The error for a success status whose body is not the answer this upstream's API promises
    /// (HTML, truncated or empty JSON, an answer of the other wire format, no choices).
    ///
    /// Such an answer is never passed on as an (empty) success: it is a failure of the path,
    /// counted and classified like any other. The message says what was wrong and, when the
    /// body is the other API's answer, that the upstream's flavor is probably misconfigured.
    func malformed(_ problem: String, body: ByteBuffer, status: Int) -> ProviderError {
        var message = problem
        if body.readableBytes == 0 {
            message += " (the body is empty)"
        } else if let hint = flavorHint(body) {
            message += "; " + hint
        }
        return ProviderError(
            code: .malformedResponse, failureClass: Self.unreadableAnswerClass, provider: provider, httpStatus: status,
            message: redact(message), upstreamMayHaveCompleted: true)
    }

    /// The class of an answer that cannot be read, complete or streamed: a server error, as a
    /// gateway answers 502 Bad Gateway for an invalid answer from its upstream. It counts
    /// against the path and fails over, like the 5xx it stands for.
    static let unreadableAnswerClass = FailureClass.serverError

    /// Says which flavor a body looks like when it is the other API's answer.
    private func flavorHint(_ body: ByteBuffer) -> String? {
        let view = body.readableBytesView.prefix(Self.maxErrorBodyBytes)
        func contains(_ text: String) -> Bool {
            let needle = Array(text.utf8)
            guard view.count >= needle.count else { return false }
            var index = view.startIndex
            while index <= view.endIndex - needle.count {
                if view[index..<index + needle.count].elementsEqual(needle) { return true }
                index += 1
            }
            return false
        }
        switch kind {
        case .anthropic where contains("\"choices\""):
            return "it looks like an OpenAI chat completion: is this upstream's flavor really anthropic?"
        case .openAICompatible where contains("\"stop_reason\"") && !contains("\"choices\""):
            return "it looks like an Anthropic Messages answer: is this upstream's flavor really openai?"
        default:
            return nil
        }
    }

    // MARK: Errors

    /// Builds the error for a non-2xx answer, reading (a bounded part of) its body.
    func statusError(_ response: HTTPClientResponse) async -> ProviderError {
        var body = ByteBuffer()
        do {
            for try await part in response.body {
                var part = part
                let room = Self.maxErrorBodyBytes - body.readableBytes
                if room <= 0 { break }
                if part.readableBytes > room { part = part.getSlice(at: part.readerIndex, length: room)! }
                body.writeBuffer(&part)
            }
        } catch {
            // The status already says what happened; a body that fails to arrive adds nothing.
        }
        return statusError(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// Builds the error for a non-2xx answer from its status, headers and (the start of) its body.
    func statusError(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> ProviderError {
        var body = body
        if body.readableBytes > Self.maxErrorBodyBytes {
            body = body.getSlice(at: body.readerIndex, length: Self.maxErrorBodyBytes)!
        }
        var message: String?
        var upstreamType: String?
        var upstreamCode: String?
        var upstreamParam: String?
        if let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: Data(body.readableBytesView)) {
            message = envelope.error.message
            upstreamType = envelope.error.type ?? envelope.error.code?.stringValue
            upstreamCode = envelope.error.code?.stringValue
            upstreamParam = envelope.error.param
        } else if body.readableBytes > 0 {
            message = String(decoding: body.readableBytesView.prefix(300), as: UTF8.self)
        }
        if status == 400, let message, Self.clientCertificateRefusals.contains(where: message.contains) {
            // nginx (and gateways built on it) finish the handshake and answer 400 when a client
            // certificate is required and missing or not trusted: Shepherd's configuration, not
            // the caller's request, so a TLS failure that fails over, not a client error.
            return ProviderError(
                code: .tls, failureClass: .tls, provider: provider, httpStatus: status,
                message: "TLS: \(provider) \(display) requires a client certificate that was not sent or not accepted "
                    + "(set certFile and keyFile)")
        }
        return ProviderError(
            code: .httpStatus, failureClass: FailureClass(httpStatus: status) ?? .other, provider: provider,
            httpStatus: status, message: message.map(redact), upstreamType: upstreamType,
            upstreamCode: upstreamCode.map(redact), upstreamParam: upstreamParam.map(redact),
            retryAfter: Self.retryAfter(headers))
    }

    static func retryAfter(_ headers: HTTPHeaders) -> RetryAfter? {
        if let value = headers.first(name: "retry-after"), let parsed = RetryAfter(headerValue: value) {
            return parsed
        }
        if let value = headers.first(name: "retry-after-ms"), let milliseconds = Double(value), milliseconds >= 0 {
            return .delay(.milliseconds(Int64(milliseconds.rounded())))
        }
        return nil
    }

    /// Classifies a transport failure (and passes ``ProviderError``s through).
    func mapError(_ error: any Error) -> ProviderError {
        if var providerError = error as? ProviderError {
            if Task.isCancelled, providerError.code != .cancelled, providerError.failureClass != .timeout {
                providerError = cancelled()
            }
            return providerError
        }
        if Task.isCancelled || error is CancellationError { return cancelled() }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                // The request was (being) sent: the upstream may be generating the answer.
                return ProviderError(
                    code: .timeout, failureClass: .timeout, provider: provider, message: error.description,
                    upstreamMayHaveCompleted: true)
            case .getConnectionFromPoolTimeout:
                // Queued behind a full pool for the connect timeout: the bounded wait is over and
                // the request was never sent. Not the upstream's failure: a capacity limit, like a 429.
                return ProviderError(
                    code: .poolExhausted, failureClass: .rateLimited, provider: provider,
                    message: "no free connection to \(provider) \(display) within the connect timeout: every "
                        + "connection of the pool is busy (raise maxConnections)")
            case .connectTimeout, .tlsHandshakeTimeout:
                // No connection: the upstream never saw the request.
                return ProviderError(
                    code: .timeout, failureClass: .timeout, provider: provider, message: error.description)
            case .cancelled:
                return cancelled()
            default:
                return ProviderError(
                    code: .connection, failureClass: .connection, provider: provider,
                    message: "\(error.description) (\(provider) \(display))")
            }
        }
        if let (kind, message) = UpstreamEndpoint.cause(of: error, provider: provider, display: display) {
            switch kind {
            case .tls: return ProviderError(code: .tls, failureClass: .tls, provider: provider, message: message)
            case .dns: return ProviderError(code: .dns, failureClass: .dns, provider: provider, message: message)
            }
        }
        if let error = error as? ServerSentEventParser.EventTooLarge {
            return ProviderError(
                code: .responseTooLarge, failureClass: .other, provider: provider, message: error.description)
        }
        // NIO's IOError, ChannelError, NIOConnectionError, HTTPParserError…: the wire failed.
        return ProviderError(
            code: .connection, failureClass: .connection, provider: provider,
            message: redact(Self.shortDescription(of: error)) + " (\(provider) \(display))")
    }

    /// The error of a call made with TLS settings that cannot work.
    func configurationFailure(_ problem: UpstreamConfigurationError) -> ProviderError {
        ProviderError(
            code: .tls, failureClass: .tls, provider: provider,
            message: "TLS settings of \(provider) cannot work: \(problem)")
    }

    func cancelled() -> ProviderError {
        ProviderError(code: .cancelled, failureClass: .cancelled, provider: provider, message: "the caller went away")
    }

    /// Removes the API key from a text the upstream sent back.
    func redact(_ text: String) -> String {
        guard let secret else { return text }
        return SecretRedactor([secret]).redact(text)
    }

    static func shortDescription(of error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    func upstreamRequestID(_ response: HTTPClientResponse) -> String? {
        upstreamRequestID(response.headers)
    }

    func upstreamRequestID(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "x-request-id") ?? headers.first(name: "request-id")
    }
}

/// Writes a trace context's fields (`traceparent`, `tracestate`) into an upstream request's headers.
struct TraceHeadersInjector: Injector {
    func inject(_ value: String, forKey name: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: name, value: value)
    }
}
