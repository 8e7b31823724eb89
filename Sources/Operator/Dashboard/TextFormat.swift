import Canary
import Shepherd

/// Number and text formats shared by `shepherd status`, the dashboard and the plain status line.
///
/// Written out rather than taken from `String(format:)` so that the output does not depend on
/// the locale: runbooks quote these strings, and a decimal comma would break a `grep`.
enum TextFormat {
    /// `value` with exactly `digits` decimals: `fixed(0.99134, 2)` is `0.99`.
    static func fixed(_ value: Double, _ digits: Int) -> String { formatFixed(value, digits) }

    /// A rate in 0…1 as a percentage with two decimals: `99.13%`; `–` when there is none.
    static func rate(_ value: Double?) -> String {
        guard let value else { return "–" }
        return fixed(value * 100, 2) + "%"
    }

    /// A rate's interval as percentages: `97.21–99.80`.
    static func interval(_ lower: Double, _ upper: Double) -> String {
        "\(fixed(lower * 100, 2))–\(fixed(upper * 100, 2))"
    }

    /// A latency in seconds: `420ms`, `1.2s`, `3m20s`; `–` when there is none.
    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "–" }
        if value < 0.0005 { return "0s" }
        // Whole seconds from 10 s up: "next check in 12s", not "12.0s".
        if value >= 10, value < 60 { return "\(Int(value.rounded()))s" }
        return DurationText.format(.milliseconds(Int64((value * 1000).rounded())))
    }

    /// A whole count with thousands separators: `12,045`.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// US dollars: `$1.23`, or four decimals under a cent (`$0.0042`).
    static func dollars(_ value: Double) -> String {
        if value != 0, abs(value) < 0.01 { return "$" + fixed(value, 4) }
        return "$" + fixed(value, 2)
    }

    /// A short name for a failure class, as the error mix shows it.
    static func failureName(_ failure: FailureClass) -> String {
        switch failure {
        case .timeout: "timeout"
        case .rateLimited: "429"
        case .serverError: "5xx"
        case .connection: "conn"
        case .tls: "TLS"
        case .dns: "DNS"
        case .authError: "auth"
        case .clientError: "4xx"
        case .cancelled: "cancel"
        case .other: "other"
        }
    }

    /// The error mix of a path: `5xx 12 · 429 3`, or `none`.
    static func errorMix(_ failures: FailureCounts) -> String {
        let parts = failures.nonZero.map { "\(failureName($0.0)) \(count($0.1))" }
        return parts.isEmpty ? "none" : parts.joined(separator: " · ")
    }

    /// `HH:MM:SS` of an instant, in UTC.
    static func clockTime(_ instant: WallClock.Instant) -> String {
        let text = instant.description  // 2026-11-21T14:05:09.120Z
        guard text.count >= 19 else { return text }
        let start = text.index(text.startIndex, offsetBy: 11)
        let end = text.index(text.startIndex, offsetBy: 19)
        return String(text[start..<end])
    }

    /// A compact age: `45s`, `3m`, `2h`, `4d`.
    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded(.down)))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    /// The 1-based step on the ladder for display: `3/9`.
    static func step(_ state: RampState<WallClock.Instant>, ladder: [Double]) -> String {
        "\(min(state.step + 1, max(1, ladder.count)))/\(max(1, ladder.count))"
    }

    /// `text` without leading and trailing whitespace.
    static func trimmed(_ text: String) -> String { trimmingWhitespace(text) }

    /// `text` on one line: newlines and tabs become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

/// Phrases the dashboard and `shepherd status` share.
enum DashboardText {
    /// `1% held back on legacy · 3h of 24h baked · promoted in 21h`.
    static func bake(_ bake: BakeProgress) -> String {
        "\(formatPercent(bake.holdback)) held back on legacy · \(TextFormat.seconds(bake.bakedSeconds)) of "
            + "\(TextFormat.seconds(bake.durationSeconds)) baked · promoted in \(TextFormat.seconds(bake.remainingSeconds))"
    }
}
