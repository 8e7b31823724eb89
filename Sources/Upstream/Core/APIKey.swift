/// An API key: a secret that never appears in a description, a log or an error.
///
/// ```swift
/// let key: APIKey = "sk-live-…"
/// print(key)            // [REDACTED]
/// key.reveal()          // only where the header is written
/// ```
public struct APIKey: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    private let value: String

    /// Wraps a key.
    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }

    /// Reads the key from an environment variable, `nil` when unset or empty.
    public static func environment(_ name: String) -> APIKey? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : APIKey(value)
    }

    /// The key itself, for the one place that writes it into a request header.
    public func reveal() -> String { value }

    public var description: String { "[REDACTED]" }
    public var debugDescription: String { "APIKey([REDACTED])" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
