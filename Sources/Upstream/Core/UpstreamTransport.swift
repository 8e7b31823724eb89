import AsyncHTTPClient
import Canary
import Logging
import NIOCore
import NIOHTTP1

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
    let headers: HTTPHeaders
    /// The API key, kept only to redact it from anything the upstream echoes back.
    let secret: String?
    let timeout: Duration
    let maxResponseBytes: Int

    static let maxErrorBodyBytes = 64 * 1024

    init(
        client: HTTPClient, provider: String, kind: ProviderKind, baseURL: String, headers: HTTPHeaders,
        secret: String?, timeout: Duration, maxResponseBytes: Int
    ) {
        self.client = client
        self.provider = provider
        self.kind = kind
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.headers = headers
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    // MARK: Requests

    /// Sends a request and returns the response head once it is a success; a failure status throws.
    func send(
        _ method: HTTPMethod, path: String, body: ByteBuffer?, context: CallContext, accept: String = "application/json"
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers = headers
        request.headers.replaceOrAdd(name: "accept", value: accept)
        if let body {
            request.headers.replaceOrAdd(name: "content-type", value: "application/json")
            request.body = .bytes(body)
        }
        if let requestID = context.requestID { request.headers.replaceOrAdd(name: "x-request-id", value: requestID) }
        for (name, value) in context.headers { request.headers.replaceOrAdd(name: name, value: value) }
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

    /// Reads a whole body, bounded by ``maxResponseBytes``.
    func collect(_ response: HTTPClientResponse) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: maxResponseBytes)
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw ProviderError(
                code: .responseTooLarge, failureClass: .other, provider: provider,
                httpStatus: Int(response.status.code), message: "answer larger than \(maxResponseBytes) bytes")
        } catch {
            throw mapError(error)
        }
    }

    /// Runs `operation` with the call's total timeout, cancelling it (and its HTTP request) when time runs out.
    func withTotalTimeout<T: Sendable>(
        _ context: CallContext, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let limit = context.timeout ?? timeout
        let provider = provider
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                if let value = try await group.next(), let value {
                    return value
                }
                throw ProviderError(
                    code: .timeout, failureClass: .timeout, provider: provider,
                    message: "no complete answer within \(limit)")
            }
        } catch {
            throw mapError(error)
        }
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
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw ProviderError(
                code: .malformedResponse, failureClass: .other, provider: provider, httpStatus: status,
                message: "answer is not a valid \(T.self): \(Self.shortDescription(of: error))")
        }
    }

    // MARK: Errors

    /// Builds the error for a non-2xx answer, reading (a bounded part of) its body.
    func statusError(_ response: HTTPClientResponse) async -> ProviderError {
        let status = Int(response.status.code)
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
        var message: String?
        var upstreamType: String?
        if let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: Data(body.readableBytesView)) {
            message = envelope.error.message
            upstreamType = envelope.error.type ?? envelope.error.code?.stringValue
        } else if body.readableBytes > 0 {
            message = String(decoding: body.readableBytesView.prefix(300), as: UTF8.self)
        }
        return ProviderError(
            code: .httpStatus, failureClass: FailureClass(httpStatus: status) ?? .other, provider: provider,
            httpStatus: status, message: message.map(redact), upstreamType: upstreamType,
            retryAfter: Self.retryAfter(response.headers))
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
            case .readTimeout, .deadlineExceeded, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout,
                .tlsHandshakeTimeout:
                return ProviderError(
                    code: .timeout, failureClass: .timeout, provider: provider, message: error.description)
            case .cancelled:
                return cancelled()
            default:
                return ProviderError(
                    code: .connection, failureClass: .connection, provider: provider, message: error.description)
            }
        }
        if let error = error as? ServerSentEventParser.EventTooLarge {
            return ProviderError(
                code: .responseTooLarge, failureClass: .other, provider: provider, message: error.description)
        }
        // NIO's IOError, ChannelError, NIOConnectionError, HTTPParserError…: the wire failed.
        return ProviderError(
            code: .connection, failureClass: .connection, provider: provider,
            message: redact(Self.shortDescription(of: error)))
    }

    func cancelled() -> ProviderError {
        ProviderError(code: .cancelled, failureClass: .cancelled, provider: provider, message: "the caller went away")
    }

    /// Removes the API key from a text the upstream sent back.
    func redact(_ text: String) -> String {
        guard let secret, text.contains(secret) else { return text }
        return text.replacingOccurrences(of: secret, with: "[REDACTED]")
    }

    static func shortDescription(of error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    func upstreamRequestID(_ response: HTTPClientResponse) -> String? {
        response.headers.first(name: "x-request-id") ?? response.headers.first(name: "request-id")
    }
}

extension TimeAmount {
    /// Converts a Swift `Duration`, saturating.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(.max) : .nanoseconds(nanos &+ attoseconds / 1_000_000_000)
    }
}
