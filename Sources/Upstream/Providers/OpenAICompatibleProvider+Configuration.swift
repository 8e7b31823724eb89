public import Canary

extension OpenAICompatibleProvider {
    /// How to reach an OpenAI-compatible upstream. Every key has a default except the base URL.
    ///
    /// ```swift
    /// var configuration = OpenAICompatibleProvider.Configuration(
    ///     name: "relay", baseURL: "https://relay.example.com/v1", apiKey: .environment("RELAY_API_KEY"))
    /// configuration.timeout = .seconds(30)   // connection settings read through to ``connection``
    /// configuration.maxConnectionsPerHost = 32
    /// ```
    ///
    /// Its description lists header names but never the key or header values.
    public struct Configuration: UpstreamConnectionSettings, Sendable, CustomStringConvertible,
        CustomDebugStringConvertible, CustomReflectable
    {
        /// The name used in metadata, errors and metrics (`relay`, `openai`, `legacy`).
        public var name: String
        /// The API root including its version, e.g. `https://api.openai.com/v1`.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …`; `nil` sends no authorization. Secret.
        public var apiKey: Secret?
        /// Headers added to every request (`OpenAI-Organization`, a gateway's routing headers…).
        /// Their values are treated as secrets too: never logged or described.
        public var extraHeaders: [String: String]
        /// Timeouts, TLS, proxy, pool and body limits.
        public var connection: UpstreamConnection
        /// Whether streams always ask for `stream_options.include_usage`, so that streamed
        /// answers can be costed (their last chunk then carries usage and no choices). Default `true`.
        public var requestStreamUsage: Bool
        /// Prices for the cost in ``ResponseMetadata``. Default: ``PriceTable/defaults``.
        public var prices: PriceTable

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            name: String = "openai", baseURL: String, apiKey: Secret? = nil, extraHeaders: [String: String] = [:],
            connection: UpstreamConnection = UpstreamConnection(), requestStreamUsage: Bool = true,
            prices: PriceTable = .defaults
        ) {
            self.name = name
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.extraHeaders = extraHeaders
            self.connection = connection
            self.requestStreamUsage = requestStreamUsage
            self.prices = prices
        }

        public var description: String {
            "OpenAICompatibleProvider.Configuration(name: \(name), baseURL: \(baseURL), apiKey: "
                + (apiKey == nil ? "none" : "[REDACTED]") + ", extraHeaders: \(extraHeaders.keys.sorted()), "
                + "\(connection.summary))"
        }
    }
}
