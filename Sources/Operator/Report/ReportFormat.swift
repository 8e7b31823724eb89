public import Canary
public import Shepherd

/// How the report writes numbers and times: fixed, locale-free and deterministic, so the
/// same store always renders the same bytes and a test can look for the numbers it stored.
///
/// ```swift
/// ReportFormat.rate(0.98765)          // "98.77%"
/// ReportFormat.latency(0.8504)        // "850 ms"
/// ReportFormat.dollars(0.00042)       // "$0.000420"
/// ReportFormat.time(instant)          // "2027-01-15 08:02:30Z"
/// ```
public enum ReportFormat {
    /// `value` with exactly `digits` decimals, rounded half away from zero: `fixed(1.005, 1)` is `"1.0"`.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "∞" : "-∞") }
        let digits = max(0, min(9, digits))
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e15 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let fraction = units % Int64(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        var fractionText = String(fraction)
        fractionText = String(repeating: "0", count: digits - fractionText.count) + fractionText
        return "\(sign)\(whole).\(fractionText)"
    }

    /// A canary percentage as the ramp writes it (`5%`, `11.25%`, `16.88%`).
    public static func percent(_ percent: Double) -> String { formatPercent(percent) }

    /// A rate in 0…1 as a percentage with two decimals, or `n/a`.
    public static func rate(_ rate: Double?) -> String {
        guard let rate else { return "n/a" }
        return fixed(rate * 100, 2) + "%"
    }

    /// A latency in seconds: `850 ms` below two seconds, `2.35 s` above, or `n/a`.
    public static func latency(_ seconds: Double?) -> String {
        guard let seconds else { return "n/a" }
        return seconds < 2 ? "\(fixed(seconds * 1000, 0)) ms" : "\(fixed(seconds, 2)) s"
    }

    /// US dollars with at least three significant digits below one dollar: `$12.35`, `$0.0420`, `$0.000420`.
    public static func dollars(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        guard value.isFinite else { return fixed(value, 0) }
        let magnitude = abs(value)
        if magnitude == 0 || magnitude >= 1 { return "$" + fixed(value, 2) }
        var digits = 2
        var threshold = 0.1
        while magnitude < threshold, digits < 8 {
            digits += 1
            threshold /= 10
        }
        return "$" + fixed(value, digits + 1)
    }

    /// A whole count with thin grouping: `12 345`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped.append("\u{202F}") }
            grouped.append(character)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// A calendar time in UTC to the second: `2027-01-15 08:02:30Z`.
    public static func time(_ instant: WallClock.Instant) -> String {
        let text = instant.iso8601  // 2027-01-15T08:02:30.120Z
        let seconds = text.prefix(19).replacingFirst("T", with: " ")
        return seconds + "Z"
    }

    /// A calendar time to the millisecond, for the transitions table: `2027-01-15 08:02:30.120Z`.
    public static func preciseTime(_ instant: WallClock.Instant) -> String {
        let text = instant.iso8601
        return String(text.prefix(23)).replacingFirst("T", with: " ") + "Z"
    }

    /// A span of time: `45s`, `2m30s`, `1h5m`, `3d4h`.
    public static func span(_ duration: Duration) -> String {
        let total = max(0, Int(inSeconds(duration).rounded()))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return total % 60 == 0 ? "\(total / 60)m" : "\(total / 60)m\(total % 60)s" }
        if total < 86_400 {
            let minutes = (total % 3600) / 60
            return minutes == 0 ? "\(total / 3600)h" : "\(total / 3600)h\(minutes)m"
        }
        let hours = (total % 86_400) / 3600
        return hours == 0 ? "\(total / 86_400)d" : "\(total / 86_400)d\(hours)h"
    }
}

extension StringProtocol {
    /// The text with the first occurrence of `target` replaced.
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return String(self) }
        return String(self[..<index]) + replacement + String(self[self.index(after: index)...])
    }
}
