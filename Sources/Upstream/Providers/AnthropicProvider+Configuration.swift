public import Canary

extension AnthropicProvider {
    /// How to reach Anthropic's Messages API. Every key has a default except the API key.
    ///
    /// ```swift
    /// let configuration = AnthropicProvider.Configuration(
    ///     name: "legacy", apiKey: .environment("ANTHROPIC_API_KEY"),
    ///     modelMap: ["claude-sonnet-4.5": "claude-sonnet-4-5"])
    /// ```
    ///
    /// Its description never shows the key or header values.
    public struct Configuration: UpstreamConnectionSettings, Sendable, CustomStringConvertible,
        CustomDebugStringConvertible, CustomReflectable
    {
        /// The name used in metadata, errors and metrics (`legacy`, `anthropic`).
        public var name: String
        /// The API root. Written as Anthropic's SDKs take it (`https://api.anthropic.com`) or with
        /// its version (`…/v1`): a root without `/v1` gets it appended. Default `https://api.anthropic.com/v1`.
        public var baseURL: String
        /// Sent as `x-api-key`. Secret.
        public var apiKey: Secret?
        /// The `anthropic-version` header. Default `2023-06-01`.
        public var anthropicVersion: String
        /// Values for the `anthropic-beta` header.
        public var betas: [String]
        /// Headers added to every request; values are treated as secrets.
        public var extraHeaders: [String: String]
        /// OpenAI-side model names to Anthropic model names; unmapped names are sent as they are.
        public var modelMap: [String: String]
        /// The `max_tokens` sent when the request sets no limit (Anthropic requires one). Default 4096.
        public var defaultMaxTokens: Int
        /// Timeouts, TLS, proxy, pool and body limits.
        public var connection: UpstreamConnection
        /// Prices for the cost in ``ResponseMetadata``. Default: ``PriceTable/defaults``.
        public var prices: PriceTable

        /// `https://api.anthropic.com` → `https://api.anthropic.com/v1`; a root already ending in `/v1` is kept.
        static func versioned(_ root: String) -> String {
            var root = root
            while root.hasSuffix("/") { root.removeLast() }
            return root.hasSuffix("/v1") ? root : root + "/v1"
        }

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            name: String = "anthropic", baseURL: String = "https://api.anthropic.com/v1", apiKey: Secret? = nil,
            anthropicVersion: String = "2023-06-01", betas: [String] = [], extraHeaders: [String: String] = [:],
            modelMap: [String: String] = [:], defaultMaxTokens: Int = 4096,
            connection: UpstreamConnection = UpstreamConnection(), prices: PriceTable = .defaults
        ) {
            self.name = name
            self.baseURL = Self.versioned(baseURL)
            self.apiKey = apiKey
            self.anthropicVersion = anthropicVersion
            self.betas = betas
            self.extraHeaders = extraHeaders
            self.modelMap = modelMap
            self.defaultMaxTokens = defaultMaxTokens
            self.connection = connection
            self.prices = prices
        }

        /// The Anthropic model to call for a requested model.
        public func upstreamModel(for model: String) -> String { modelMap[model] ?? model }

        public var description: String {
            "AnthropicProvider.Configuration(name: \(name), baseURL: \(baseURL), apiKey: "
                + (apiKey == nil ? "none" : "[REDACTED]") + ", anthropicVersion: \(anthropicVersion), "
                + "extraHeaders: \(extraHeaders.keys.sorted()), modelMap: \(modelMap), \(connection.summary))"
        }
    }
}
