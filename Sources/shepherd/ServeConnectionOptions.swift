import ArgumentParser
import ShepherdServer

/// The TLS and proxy flags of `shepherd serve`, one set per path; each beats the same key of
/// `legacy:` or `relay:` in the configuration file.
struct ServeConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "A PEM bundle of certificate authorities the legacy path trusts, added to the system's.")
    var legacyCaFile: String?

    @Option(
        name: .long, help: "A PEM client certificate the legacy path presents (mutual TLS); needs --legacy-key-file.")
    var legacyCertFile: String?

    @Option(name: .long, help: "The PEM private key of --legacy-cert-file.")
    var legacyKeyFile: String?

    @Option(
        name: .long, help: "The name the legacy path's certificate is checked against, when the URL's host is not it.")
    var legacyServerName: String?

    @Option(
        name: .long,
        help:
            "The legacy path's outbound proxy, http://[user:password@]host:port, or none (default: HTTPS_PROXY/HTTP_PROXY unless NO_PROXY lists the host)."
    )
    var legacyProxy: String?

    @Option(name: .long, help: "A PEM bundle of certificate authorities the relay trusts, added to the system's.")
    var relayCaFile: String?

    @Option(name: .long, help: "A PEM client certificate the relay path presents (mutual TLS); needs --relay-key-file.")
    var relayCertFile: String?

    @Option(name: .long, help: "The PEM private key of --relay-cert-file.")
    var relayKeyFile: String?

    @Option(name: .long, help: "The name the relay's certificate is checked against, when the URL's host is not it.")
    var relayServerName: String?

    @Option(
        name: .long,
        help:
            "The relay's outbound proxy, http://[user:password@]host:port, or none (default: HTTPS_PROXY/HTTP_PROXY unless NO_PROXY lists the host)."
    )
    var relayProxy: String?

    /// The flags by the configuration key each sets.
    var values: [String: String?] {
        [
            "legacy.caFile": legacyCaFile, "legacy.certFile": legacyCertFile, "legacy.keyFile": legacyKeyFile,
            "legacy.serverName": legacyServerName, "legacy.proxy": legacyProxy,
            "relay.caFile": relayCaFile, "relay.certFile": relayCertFile, "relay.keyFile": relayKeyFile,
            "relay.serverName": relayServerName, "relay.proxy": relayProxy,
        ]
    }
}
