/// A secret (an API key, a token, a password) that never appears in a description, a dump, a log
/// or an error.
///
/// `description`, `debugDescription` and string interpolation show `[REDACTED]`; `dump()` and
/// `Mirror` show no children; it is deliberately not `Codable`, so no encoder can write it. The
/// value is reachable only through ``reveal()``, for the one place that sends it (a request
/// header), and compared through ``matches(_:)``.
///
/// ```swift
/// let key: Secret = "sk-live-…"
/// print(key)                       // [REDACTED]
/// key.matches(presentedToken)      // constant-time comparison
/// key.reveal()                     // only where the header is written
/// ```
public struct Secret: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    fileprivate let value: String

    /// Wraps a secret.
    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }

    /// Reads the secret from an environment variable, `nil` when unset or empty.
    public static func environment(_ name: String) -> Secret? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : Secret(value)
    }

    /// The secret itself, for the one place that writes it into a request header.
    public func reveal() -> String { value }

    /// Whether the secret is the empty string.
    public var isEmpty: Bool { value.isEmpty }

    /// Its length in characters (checked against a minimum; the length says little of the value).
    public var count: Int { value.count }

    /// Whether `candidate` is the secret, compared in a time independent of where the first
    /// difference is.
    public func matches(_ candidate: String) -> Bool {
        let a = Array(value.utf8)
        let b = Array(candidate.utf8)
        var difference = a.count ^ b.count
        for i in 0..<max(a.count, b.count) {
            difference |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0))
        }
        return difference == 0
    }

    public var description: String { "[REDACTED]" }
    public var debugDescription: String { "[REDACTED]" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

extension SecretRedactor {
    /// Creates a redactor for `secrets` (empty ones are ignored).
    public init(secrets: [Secret]) {
        self.init(secrets.map(\.value))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
