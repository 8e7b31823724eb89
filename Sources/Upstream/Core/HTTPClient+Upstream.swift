import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// A client configured for one upstream: pool limits and timeouts from the provider's configuration.
    static func upstream(
        connectTimeout: Duration, readIdleTimeout: Duration, maxConnectionsPerHost: Int,
        idleConnectionTimeout: Duration
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readIdleTimeout)),
            connectionPool: .init(
                idleTimeout: TimeAmount(idleConnectionTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnectionsPerHost)))
        // Upstreams do not redirect API calls; following one could send the key elsewhere.
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
