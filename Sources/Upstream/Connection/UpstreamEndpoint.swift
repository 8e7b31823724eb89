import AsyncHTTPClient
import Foundation  // `range(of:)` and `removingPercentEncoding` are not in FoundationEssentials
import NIOCore
import NIOPosix
import NIOSSL

/// Where an upstream's requests go and how its connections are made: the URL requested (its
/// host replaced by the TLS server name when one is set, with the real host as a DNS override),
/// the TLS configuration, and a readable `host:port` for messages.
struct UpstreamEndpoint: Sendable {
    /// The base URL requests are sent to.
    let baseURL: String
    /// `host:port` of the configured URL, for messages ("for relay localhost:18643").
    let display: String
    /// AsyncHTTPClient's host → connect-to map, for ``UpstreamTLS/serverName``.
    let dnsOverride: [String: String]
    let tlsConfiguration: TLSConfiguration
    /// Settings that cannot work (a library caller that skipped validation): every call fails with it.
    let problem: UpstreamConfigurationError?

    init(baseURL: String, tls: UpstreamTLS, name: String) {
        var components = URLComponents(string: baseURL)
        let host = components?.host ?? ""
        let secure = components?.scheme?.lowercased() == "https"
        let port = components?.port ?? (secure ? 443 : 80)
        display = host.isEmpty ? baseURL : "\(host):\(port)"
        do {
            tlsConfiguration = try tls.makeConfiguration(keyPrefix: name)
            problem = nil
        } catch {
            tlsConfiguration = .makeClientConfiguration()
            problem = error
        }
        if let serverName = tls.serverName, secure, !host.isEmpty, serverName.lowercased() != host.lowercased() {
            components?.host = serverName
            self.baseURL = components?.string ?? baseURL
            dnsOverride = [serverName: host]
        } else {
            self.baseURL = baseURL
            dnsOverride = [:]
        }
    }

    /// The class and a readable cause of a failure to connect, when it is one Shepherd can name:
    /// a TLS handshake that failed (a certificate not trusted, for another name) or a host name
    /// that does not resolve. `nil` for anything else (a refused or reset connection).
    static func cause(of error: any Error, provider: String, display: String) -> (FailureKind, String)? {
        switch error {
        case let error as NIOSSLError:
            // Only a handshake's failures are about trust; a TLS connection closed uncleanly
            // mid-answer is a connection failure like a reset.
            switch error {
            case .handshakeFailed, .unableToValidateCertificate, .noCertificateToValidate, .cannotMatchULabel:
                break
            default:
                return nil
            }
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return (
                    .tls,
                    "TLS: certificate not trusted (self-signed, expired or from an unknown authority: add it with caFile) for \(provider) \(display)"
                )
            }
            let reason = Self.boringSSLReason(text)
            if reason == "WRONG_VERSION_NUMBER" {
                return (
                    .tls,
                    "TLS: handshake failed, the upstream does not speak TLS there (an http:// URL?) for \(provider) \(display)"
                )
            }
            return (.tls, "TLS: handshake failed (\(reason ?? Self.short(text))) for \(provider) \(display)")
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return (
                .tls,
                "TLS: the certificate is not for this host (set serverName if the URL's host is not the certificate's) for \(provider) \(display)"
            )
        case let error as NIOSSLExtraError:
            return (.tls, "TLS: \(Self.short(String(describing: error))) for \(provider) \(display)")
        case let error as NIOConnectionError
        where error.connectionErrors.isEmpty
            && (error.dnsAError != nil || error.dnsAAAAError != nil):
            return (.dns, "DNS: \(error.host) does not resolve, for \(provider) \(display)")
        case is SocketAddressError:
            return (.dns, "DNS: the host does not resolve, for \(provider) \(display)")
        default:
            return nil
        }
    }

    enum FailureKind { case tls, dns }

    /// BoringSSL's reason code in an error's text (`CERTIFICATE_VERIFY_FAILED`), without the
    /// source paths and numbers around it.
    static func boringSSLReason(_ text: String) -> String? {
        guard let marker = text.range(of: "OPENSSL_internal:") else { return nil }
        let reason = text[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
        return reason.isEmpty ? nil : String(reason)
    }

    private static func short(_ text: String) -> String {
        text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

extension HTTPClient {
    /// A client configured for one upstream: pool limits, timeouts, TLS and proxy.
    ///
    /// A connection that cannot be made fails its request at once instead of being retried
    /// until the connect timeout (AsyncHTTPClient's `retryConnectionEstablishment`, on by
    /// default): a certificate that does not verify now will not verify in a moment, and the
    /// caller is better served by failing over at once. The connect timeout bounds a connect
    /// that hangs.
    static func upstream(_ connection: UpstreamConnection, endpoint: UpstreamEndpoint) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: endpoint.tlsConfiguration,
            timeout: .init(
                connect: TimeAmount(connection.connectTimeout), read: TimeAmount(connection.effectiveReadIdleTimeout)),
            connectionPool: .init(
                idleTimeout: TimeAmount(connection.idleConnectionTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connection.maxConnectionsPerHost)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.dnsOverride = endpoint.dnsOverride
        if let proxy = connection.proxy {
            let authorization = proxy.username.map { user in
                HTTPClient.Authorization.basic(username: user, password: proxy.password?.reveal() ?? "")
            }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        // Upstreams do not redirect API calls; following one could send the key elsewhere.
        configuration.redirectConfiguration = .disallow
        // HTTP/2 only when asked for: AsyncHTTPClient keeps one HTTP/2 connection per host and
        // queues calls past its concurrent-stream limit, where HTTP/1.1 opens a connection per call.
        configuration.httpVersion = connection.http2 ? .automatic : .http1Only
        // No spans of AsyncHTTPClient's own: Shepherd's attempt span is the client span, and the
        // transport sends its context itself. AsyncHTTPClient's delegate API (complete answers)
        // would start a root span per request, in no trace, and propagate nothing.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
