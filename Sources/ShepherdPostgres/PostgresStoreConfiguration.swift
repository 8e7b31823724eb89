import Foundation

/// Where the shared store lives: `postgres://USER@HOST:PORT/DB`, the password apart.
///
/// The password never travels in the URL (a URL ends up in `ps`, shell history and logs): it
/// comes from `SHEPHERD_POSTGRES_PASSWORD`, and this type prints it as `[REDACTED]`.
///
/// ```swift
/// let configuration = try PostgresStoreConfiguration(
///     url: "postgres://shepherd@db.internal:5432/shepherd",
///     password: ProcessInfo.processInfo.environment["SHEPHERD_POSTGRES_PASSWORD"])
/// ```
public struct PostgresStoreConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The server's host name or address.
    public var host: String
    /// The server's port. Default 5432.
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The database. Default: the user's name.
    public var database: String
    /// The role's password (secret: never printed).
    public var password: String?
    /// The longest any store call may take before it fails with `RolloutStoreError`. Default 2 s:
    /// the replicas' control loop must never hang on a database that does not answer.
    public var operationTimeout: Duration
    /// The longest a new connection may take. Default 2 s.
    public var connectTimeout: Duration
    /// The most pooled connections. Default 4 (the control loop makes a few calls per second).
    public var maxConnections: Int
    /// The schema Shepherd's tables live in (created when missing; `nil`: the role's default,
    /// usually `public`). Letters, digits and `_` only.
    public var schema: String?

    /// Creates a configuration from its parts.
    public init(
        host: String, port: Int = 5432, user: String, database: String? = nil, password: String? = nil,
        operationTimeout: Duration = .seconds(2), connectTimeout: Duration = .seconds(2), maxConnections: Int = 4
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database ?? user
        self.password = password
        self.operationTimeout = operationTimeout
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
    }

    /// Whether `text` names a PostgreSQL store (`postgres://` or `postgresql://`).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `postgres://USER@HOST[:PORT]/DB[?sslmode=disable]`.
    ///
    /// - Throws: ``PostgresStoreConfigurationError`` naming the part that is wrong; a URL that
    ///   carries a password is refused (use `SHEPHERD_POSTGRES_PASSWORD`), and the error does not
    ///   repeat it.
    public init(url text: String, password: String?) throws(PostgresStoreConfigurationError) {
        guard Self.isPostgresURL(text), let url = URLComponents(string: text) else {
            throw PostgresStoreConfigurationError("expected postgres://USER@HOST:PORT/DATABASE")
        }
        if url.password != nil {
            throw PostgresStoreConfigurationError(
                "the URL must not carry a password: set SHEPHERD_POSTGRES_PASSWORD instead")
        }
        guard let user = url.user, !user.isEmpty else {
            throw PostgresStoreConfigurationError("the URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let host = url.host, !host.isEmpty else {
            throw PostgresStoreConfigurationError("the URL names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        var schema: String?
        for item in url.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): break
            case ("schema", let value?) where Self.isPlainIdentifier(value): schema = value
            case ("schema", let value):
                throw PostgresStoreConfigurationError(
                    "schema=\(value ?? "") must be letters, digits and _ only, starting with a letter")
            case ("sslmode", let value):
                throw PostgresStoreConfigurationError(
                    "sslmode=\(value ?? "") is not supported yet: use sslmode=disable on a trusted network or a local socket proxy"
                )
            default:
                throw PostgresStoreConfigurationError("unknown URL parameter \"\(item.name)\" (known: sslmode, schema)")
            }
        }
        self.init(
            host: host, port: url.port ?? 5432, user: user, database: database.isEmpty ? nil : database,
            password: password)
        self.schema = schema
    }

    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 63, CharacterSet.letters.contains(first) else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
    }

    /// `postgres://USER@HOST:PORT/DB`: safe to log (no password).
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)\(schema.map { "?schema=\($0)" } ?? "") (password: \(password == nil ? "none" : "set"))"
    }

    /// `dump` and the debugger show the description, never the password.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// A store URL that cannot be used, and why (never with a password in it).
public struct PostgresStoreConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String

    init(_ reason: String) { self.reason = reason }

    public var description: String { "state URL: \(reason)" }
}
