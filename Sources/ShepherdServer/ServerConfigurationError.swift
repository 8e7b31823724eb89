import Upstream

/// A server configuration that must not run, naming the field, the problem and the fix.
///
/// ```text
/// clientKeys: binding 0.0.0.0 (not a loopback address) with no client keys would let anyone on the
/// network spend Shepherd's upstream credentials; set client keys, bind 127.0.0.1, or set
/// allowUnauthenticated to accept that risk
/// ```
public struct ServerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration field at fault (`clientKeys`, `port`, …).
    public var field: String
    /// What is wrong.
    public var problem: String
    /// What to do.
    public var fix: String

    public var description: String { "\(field): \(problem); \(fix)" }
}

extension ServerConfiguration {
    /// Checks that the configuration can run safely.
    ///
    /// - Throws: ``ServerConfigurationError`` for an open non-loopback bind (no client keys and
    ///   no ``allowUnauthenticated``), a port outside 0…65535, a non-positive body limit, or an
    ///   empty admin token or client key.
    public func validate() throws(ServerConfigurationError) {
        if !isLoopback, clientKeys.isEmpty, !allowUnauthenticated {
            throw ServerConfigurationError(
                field: "clientKeys",
                problem: "binding \(host) (not a loopback address) with no client keys would let anyone on the network "
                    + "spend Shepherd's upstream credentials",
                fix: "set client keys (clients then send Authorization: Bearer KEY), bind 127.0.0.1, "
                    + "or set allowUnauthenticated to accept that risk")
        }
        if !(0...65_535).contains(port) {
            throw ServerConfigurationError(
                field: "port", problem: "\(port) is not a TCP port", fix: "use 1…65535, or 0 to pick a free one")
        }
        if maxBodyBytes <= 0 {
            throw ServerConfigurationError(
                field: "maxBodyBytes", problem: "must be positive (got \(maxBodyBytes))",
                fix: "use the default, 10 MiB (10485760), or the largest request you expect")
        }
        if let adminToken, adminToken.isEmpty {
            throw ServerConfigurationError(
                field: "adminToken", problem: "is set but empty",
                fix: "set a long random token (e.g. `openssl rand -hex 32`), or unset it to turn the admin API off")
        }
        if clientKeys.contains(where: \.isEmpty) {
            throw ServerConfigurationError(
                field: "clientKeys", problem: "contains an empty key", fix: "remove it, or give every client a real key"
            )
        }
        // A short secret can be guessed, and no redaction can hide it in the text it appears in.
        let minimum = SecretRedactor.minimumSecretLength
        if let adminToken, adminToken.count < minimum {
            throw ServerConfigurationError(
                field: "adminToken", problem: "is \(adminToken.count) characters long, shorter than \(minimum)",
                fix: "use a long random token, e.g. `openssl rand -hex 24`")
        }
        if let short = clientKeys.first(where: { $0.count < minimum }) {
            throw ServerConfigurationError(
                field: "clientKeys", problem: "a key is \(short.count) characters long, shorter than \(minimum)",
                fix: "give every client a long random key, e.g. `openssl rand -hex 24`")
        }
    }
}
