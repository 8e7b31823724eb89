public import Canary

/// A point in time as an operator types it on the command line (`shepherd events --since`).
///
/// Three forms are accepted:
///
/// | form | example | meaning |
/// | --- | --- | --- |
/// | Unix seconds | `1800000000`, `1800000000.5` | that instant |
/// | ISO 8601, UTC | `2026-11-21T14:05:09Z`, `2026-11-21T14:05:09.120Z` | that instant |
/// | an age | `90s`, `10m`, `2h`, `1d` (optionally `10m ago`) | that long before `now` |
public enum TimeArgument {
    /// Parses `text` against `now` (used by ages only).
    ///
    /// - Returns: the instant, or `nil` when `text` is none of the forms above (see ``help``).
    public static func parse(_ text: String, now: WallClock.Instant) -> WallClock.Instant? {
        var text = TextFormat.trimmed(text)
        if text.hasSuffix(" ago") { text = TextFormat.trimmed(String(text.dropLast(4))) }
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, text.allSatisfy({ $0.isNumber || $0 == "." }) {
            return WallClock.Instant(unixSeconds: seconds)
        }
        if let instant = WallClock.Instant(iso8601: text) { return instant }
        guard let unit = text.last, let amount = Double(text.dropLast()), amount.isFinite, amount >= 0,
            text.dropLast().allSatisfy({ $0.isNumber || $0 == "." })
        else { return nil }
        let scale: Double
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        default: return nil
        }
        return now.advanced(by: .milliseconds(-Int64((amount * scale * 1000).rounded())))
    }

    /// What the accepted forms are, for an error message.
    public static let help =
        "Unix seconds (1800000000), an ISO 8601 time in UTC (2026-11-21T14:05:09Z) or an age (90s, 10m, 2h, 1d)"
}
