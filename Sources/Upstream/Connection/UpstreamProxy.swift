import Foundation  // `range(of:)` and `removingPercentEncoding` are not in FoundationEssentials

/// An outbound HTTP proxy an upstream's connections go through (HTTPS by `CONNECT`).
///
/// Set per upstream, or taken from the environment as curl and the OpenAI SDK take it
/// (``fromEnvironment(_:for:)``: `https_proxy`/`HTTPS_PROXY` for an `https` upstream,
/// `http_proxy`/`HTTP_PROXY` for an `http` one, and `no_proxy`/`NO_PROXY` to skip it). Its
/// credentials are secrets: ``description`` shows the host and port only.
///
/// ```swift
/// let proxy = try UpstreamProxy(url: "http://proxy.internal:3128")
/// let fromEnvironment = try UpstreamProxy.fromEnvironment(ProcessInfo.processInfo.environment,
///                                                         for: "https://relay.example.com/v1")
/// ```
public struct UpstreamProxy: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The proxy's host.
    public var host: String
    /// The proxy's port (default 80 when the URL names none, as curl does; 3128 is common).
    public var port: Int
    /// The user of basic proxy authentication, if any.
    public var username: String?
    /// The password of basic proxy authentication, if any. Secret.
    public var password: Secret?

    /// Creates a proxy.
    public init(host: String, port: Int, username: String? = nil, password: Secret? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Reads a proxy URL: `http://[user:password@]host[:port]` (a bare `host:port` is taken as http).
    ///
    /// - Throws: ``UpstreamConfigurationError`` (key `proxy`) for anything else; the error never
    ///   repeats the URL, which may carry a password.
    public init(url: String) throws(UpstreamConfigurationError) {
        let text = url.contains("://") ? url : "http://" + url
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw UpstreamConfigurationError(key: "proxy", reason: "not a proxy URL (http://host:port)")
        }
        guard components.scheme?.lowercased() == "http" else {
            throw UpstreamConfigurationError(
                key: "proxy", reason: "only http:// proxies are supported (HTTPS upstreams go through them by CONNECT)")
        }
        self.init(
            host: host, port: components.port ?? 80, username: components.user.flatMap { $0.isEmpty ? nil : $0 },
            password: components.password.map { Secret($0.removingPercentEncoding ?? $0) })
    }

    /// The proxy the environment names for `upstreamURL`, or `nil` when it names none or
    /// `no_proxy` lists the upstream's host.
    ///
    /// `no_proxy` is a comma-separated list of host names (a name also matches its subdomains;
    /// a leading dot is allowed), IP addresses, either with an optional `:port`, or `*` for
    /// every host. The lowercase variables win over the uppercase ones, as in curl.
    ///
    /// - Throws: ``UpstreamConfigurationError`` naming the variable when its value is not a proxy URL.
    public static func fromEnvironment(_ environment: [String: String], for upstreamURL: String)
        throws(UpstreamConfigurationError) -> UpstreamProxy?
    {
        guard let components = URLComponents(string: upstreamURL), let host = components.host?.lowercased() else {
            return nil
        }
        let secure = components.scheme?.lowercased() == "https"
        let names = secure ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard
            let (name, value) = names.lazy.compactMap({ name in environment[name].map { (name, $0) } })
                .first(where: { !$0.1.isEmpty })
        else { return nil }
        let port = components.port ?? (secure ? 443 : 80)
        let exclusions = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if bypasses(host: host, port: port, noProxy: exclusions) { return nil }
        do {
            return try UpstreamProxy(url: value)
        } catch {
            throw UpstreamConfigurationError(key: name, reason: error.reason)
        }
    }

    /// Whether a `no_proxy` list names `host` (and `port`).
    static func bypasses(host: String, port: Int, noProxy: String) -> Bool {
        let host = unbracketed(host)
        for raw in noProxy.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var entry = raw.lowercased()
            if entry == "*" { return true }
            var entryPort: Int?
            if let colon = entry.lastIndex(of: ":"), !entry.hasPrefix("["), entry.filter({ $0 == ":" }).count == 1 {
                entryPort = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
            }
            entry = unbracketed(entry)
            while entry.hasPrefix(".") || entry.hasPrefix("*") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            if let entryPort, entryPort != port { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    /// An IPv6 literal without its brackets.
    private static func unbracketed(_ text: String) -> String {
        text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
    }

    public var description: String {
        "http://\(host):\(port)" + (username != nil || password != nil ? " (with credentials)" : "")
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
