public import NIOSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What an upstream's HTTPS connections trust, and what they present.
///
/// By default the system's trust roots verify the upstream's certificate for the URL's host,
/// as curl and the OpenAI SDK do. Relays behind a company's own certificate authority add it
/// with ``caFile``; a relay that asks for a client certificate (mutual TLS) gets ``certFile``
/// and ``keyFile``; an upstream reached by an address its certificate does not name gets
/// ``serverName``. Nothing here turns verification off.
///
/// ```swift
/// var tls = UpstreamTLS()
/// tls.caFile = "/etc/shepherd/corp-ca.pem"   // added to the system roots
/// try tls.validate(keyPrefix: "relay")       // at start-up: names the key and the reason
/// ```
public struct UpstreamTLS: Sendable, Hashable {
    /// A PEM bundle of certificate authorities to trust, added to the system roots (or
    /// replacing them when ``systemRoots`` is `false`). Default none.
    public var caFile: String?
    /// Whether the system's trust roots are trusted. Default `true`; `false` needs ``caFile``.
    public var systemRoots: Bool
    /// A PEM certificate chain presented to an upstream that asks for one (mutual TLS).
    public var certFile: String?
    /// The PEM private key of ``certFile``. Secret: its path is shown, never its content.
    public var keyFile: String?
    /// The name the upstream's certificate is verified against (and sent as SNI) when the
    /// URL's host is not that name, e.g. a relay reached by IP address. Default: the URL's host.
    public var serverName: String?

    /// Creates settings; the defaults trust the system roots and present no certificate.
    public init(
        caFile: String? = nil, systemRoots: Bool = true, certFile: String? = nil, keyFile: String? = nil,
        serverName: String? = nil
    ) {
        self.caFile = caFile
        self.systemRoots = systemRoots
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
    }

    /// Checks that every file can be read and parsed and that the settings fit together.
    ///
    /// - Parameter keyPrefix: the configuration key the settings live under (`relay`), named in errors.
    /// - Throws: ``UpstreamConfigurationError`` naming the key (`relay.caFile`) and the reason.
    public func validate(keyPrefix: String) throws(UpstreamConfigurationError) {
        _ = try makeConfiguration(keyPrefix: keyPrefix)
    }

    /// The client TLS configuration these settings describe.
    ///
    /// - Throws: ``UpstreamConfigurationError`` naming the key and the reason.
    public func makeConfiguration(keyPrefix: String) throws(UpstreamConfigurationError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile {
            let authorities = try Self.certificates(caFile, key: "\(keyPrefix).caFile")
            if systemRoots {
                configuration.additionalTrustRoots = [.certificates(authorities)]
            } else {
                configuration.trustRoots = .certificates(authorities)
            }
        } else if !systemRoots {
            throw UpstreamConfigurationError(
                key: "\(keyPrefix).systemRoots", reason: "false needs \(keyPrefix).caFile: nothing would be trusted")
        }
        switch (certFile, keyFile) {
        case (nil, nil):
            break
        case (let certFile?, let keyFile?):
            configuration.certificateChain = try Self.certificates(certFile, key: "\(keyPrefix).certFile")
                .map { .certificate($0) }
            let key = "\(keyPrefix).keyFile"
            let bytes = try Self.read(keyFile, key: key)
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem))
            } catch {
                throw UpstreamConfigurationError(key: key, reason: "\(keyFile) holds no PEM private key")
            }
        case (_?, nil):
            throw UpstreamConfigurationError(key: "\(keyPrefix).keyFile", reason: "certFile needs its keyFile")
        case (nil, _?):
            throw UpstreamConfigurationError(key: "\(keyPrefix).certFile", reason: "keyFile needs its certFile")
        }
        if let serverName, serverName.isEmpty || serverName.contains(where: { $0 == "/" || $0 == ":" || $0 == " " }) {
            throw UpstreamConfigurationError(
                key: "\(keyPrefix).serverName", reason: "\"\(serverName)\" is not a host name")
        }
        return configuration
    }

    private static func read(_ path: String, key: String) throws(UpstreamConfigurationError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw UpstreamConfigurationError(key: key, reason: "\(path) does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UpstreamConfigurationError(key: key, reason: "\(path) cannot be read")
        }
        return Array(data)
    }

    private static func certificates(_ path: String, key: String) throws(UpstreamConfigurationError)
        -> [NIOSSLCertificate]
    {
        let bytes = try read(path, key: key)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw UpstreamConfigurationError(key: key, reason: "\(path) is not a PEM certificate bundle")
        }
        guard !certificates.isEmpty else {
            throw UpstreamConfigurationError(key: key, reason: "\(path) holds no PEM certificate")
        }
        return certificates
    }
}

/// A setting of an upstream that cannot work, naming its key and the reason; raised at
/// start-up so that a bad file or value never reaches the first call.
public struct UpstreamConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration key, e.g. `relay.caFile`.
    public var key: String
    /// Why it cannot work (never a secret's value).
    public var reason: String

    public var description: String { "\(key): \(reason)" }
}
