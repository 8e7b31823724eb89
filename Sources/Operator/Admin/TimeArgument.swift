public import Canary
public import Shepherd

/// A point in time as an operator types it on the command line (`shepherd events --since`).
///
/// Three forms are accepted:
///
/// | form | example | meaning |
/// | --- | --- | --- |
/// | Unix seconds | `1800000000`, `1800000000.5` | that instant |
/// | ISO 8601, UTC | `2026-11-21T14:05:09Z`, `2026-11-21T14:05:09.120Z` | that instant |
/// | an age | `90s`, `10m`, `2h`, `1d`, `1h30m` (optionally `10m ago`) | that long before `now` |
///
/// An age is a duration in the grammar of policies and scenarios (``DurationText``).
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
        guard case .success(let age) = DurationText.parse(text) else { return nil }
        return now.advanced(by: .zero - age)
    }

    /// What the accepted forms are, for an error message.
    public static let help =
        "Unix seconds (1800000000), an ISO 8601 time in UTC (2026-11-21T14:05:09Z) or an age (90s, 10m, 2h, 1d)"
}
