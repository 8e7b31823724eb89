public import Canary
import Foundation
import ShepherdConfig
public import Upstream

extension ServeConfiguration.Upstream {
    /// Reads one path's keys (`legacy.` or `relay.`: see ``ServeConfiguration/init(reader:environment:)``)
    /// and checks them: the URL, the TLS files (missing or unreadable stops start-up naming the
    /// key) and the proxy.
    init(keys: KeyReader, path: String, environment: [String: String]) throws(ConfigFileError) {
        func key(_ name: String) -> String { "\(path).\(name)" }
        guard let url = keys.string(key("url")) else {
            throw keys.error(key("url"), "is required (or --\(path)-url)")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme, scheme == "http" || scheme == "https",
            parsed.host != nil
        else {
            throw keys.error(key("url"), "must be an http(s) URL such as https://api.openai.com/v1 (got \(url))")
        }
        self.init(
            url: url,
            flavor: try keys.choice(key("flavor"), ProviderKind.self, expected: "openai or anthropic")
                ?? .openAICompatible,
            apiKey: try Self.apiKey(keys: keys, path: path, environment: environment),
            timeout: try keys.duration(key("timeout")) ?? .seconds(60),
            readIdleTimeout: try keys.duration(key("readIdleTimeout")),
            maxConnections: try keys.positiveInt(key("maxConnections"))
                ?? UpstreamConnection.defaultMaxConnectionsPerHost)
        http2 = try keys.bool(key("http2")) ?? false
        connectTimeout = try keys.duration(key("connectTimeout")) ?? connectTimeout
        tls = UpstreamTLS(
            caFile: keys.string(key("caFile")), systemRoots: try keys.bool(key("systemRoots")) ?? true,
            certFile: keys.string(key("certFile")), keyFile: keys.string(key("keyFile")),
            serverName: keys.string(key("serverName")))
        var caSource: String?
        if tls.caFile == nil, let bundle = environment["SSL_CERT_FILE"], !bundle.isEmpty {
            // As curl and OpenSSL-based SDKs read it: a CA bundle the process trusts.
            tls.caFile = bundle
            caSource = "SSL_CERT_FILE"
        }
        do {
            try tls.validate(keyPrefix: path)
        } catch {
            let bundle = error.key.hasSuffix(".caFile") ? caSource : nil
            throw ConfigFileError(file: bundle ?? keys.source(of: error.key), keyPath: error.key, reason: error.reason)
        }
        if let written = keys.string(key("proxy")) {
            if written != "none", !written.isEmpty {
                do {
                    proxy = try UpstreamProxy(url: written)
                } catch {
                    throw keys.error(key("proxy"), error.reason)
                }
            }
        } else {
            do {
                proxy = try UpstreamProxy.fromEnvironment(environment, for: url)
            } catch {
                throw ConfigFileError(file: error.key, keyPath: "", reason: error.reason)
            }
        }
    }

    /// The path's key: its `SHEPHERD_…_API_KEY` (or a flag), else the variable `apiKeyEnv` names
    /// (which must be set), else the file's `apiKey`.
    static func apiKey(
        keys: KeyReader, path: String, environment: [String: String]
    ) throws(ConfigFileError) -> Secret? {
        let written = keys.string("\(path).apiKey")
        guard let variable = keys.string("\(path).apiKeyEnv") else { return written.map { Secret($0) } }
        guard let value = environment[variable], !value.isEmpty else {
            throw keys.error("\(path).apiKeyEnv", "names \(variable), which is not set")
        }
        if let written, !keys.isFromFile("\(path).apiKey") { return Secret(written) }
        return Secret(value)
    }
}
