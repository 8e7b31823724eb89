/// Removes secrets from text that may be shown, logged or sent back: an upstream's error
/// message, an error of Shepherd's own.
///
/// It works on tokens, not on substrings: the text is cut into runs of key-like characters
/// (letters, digits, `-`, `_`, `+`, `/`, `=`), and a run is replaced by `[REDACTED]` when it is
/// a secret, contains one, or is a piece of one at least ``minimumFragment`` characters long (an
/// upstream echoing the key without its `sk-` prefix, or half of it). Ordinary words are left
/// alone even when a secret contains them, so a short secret cannot turn every message into a
/// riddle that reveals it (a secret shorter than the fragment length matches only a whole
/// token); `shepherd serve` refuses such secrets at start-up (``minimumSecretLength``).
///
/// ```swift
/// let redactor = SecretRedactor(["sk-live-0123456789abcdef"])
/// redactor.redact("Incorrect API key provided: live-0123456789abcdef.")
/// // "Incorrect API key provided: [REDACTED]."
/// ```
public struct SecretRedactor: Sendable {
    /// The shortest piece of a secret that is recognised on its own.
    public static let minimumFragment = 8
    /// The shortest admin token or client key `shepherd serve` accepts.
    public static let minimumSecretLength = 16

    private let secrets: [[UInt8]]

    /// Creates a redactor for `secrets` (empty ones are ignored).
    public init(_ secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// `text` with every token that carries a secret replaced by `[REDACTED]`.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            guard Self.isTokenByte(bytes[index]) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, Self.isTokenByte(bytes[end]) { end += 1 }
            let token = bytes[index..<end]
            if carriesSecret(token) {
                output.append(contentsOf: Array("[REDACTED]".utf8))
                changed = true
            } else {
                output.append(contentsOf: token)
            }
            index = end
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    private func carriesSecret(_ token: ArraySlice<UInt8>) -> Bool {
        for secret in secrets {
            if token.elementsEqual(secret) { return true }
            // Longer tokens and pieces count only for a secret long enough not to be an ordinary word.
            guard secret.count >= Self.minimumFragment else { continue }
            if token.count > secret.count, Self.contains(token, secret[...]) { return true }
            if token.count >= Self.minimumFragment, token.count < secret.count, Self.contains(secret[...], token) {
                return true
            }
        }
        return false
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: ArraySlice<UInt8>) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        var start = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while start <= last {
            if haystack[start] == first, haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            byte >= 0x80
        }
    }
}
