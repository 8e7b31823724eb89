/// Durations as operators write them, and as Shepherd prints them: the one duration grammar of
/// policies, simulation scenarios, fault scenarios and `shepherd events --since`.
///
/// A duration is one or more parts, each a decimal number and a unit, largest first or not:
/// `250ms`, `30s`, `1.5m`, `2h`, `1d`, `1h30m`. The units are `ms`, `s`, `m`, `h` and `d`
/// (`d` came from `--since`; the other readers accept it too). A number without a unit is
/// refused unless the reader opts in with `bareNumberIsSeconds` (fault scenarios, whose
/// durations have always been allowed to be plain seconds). Negative durations, exponents
/// (`1e3s`) and durations past about 292 years are refused.
///
/// ```swift
/// DurationText.parse("1h30m")                              // .success(.seconds(5400))
/// DurationText.parse("30")                                 // .failure("needs a unit: …")
/// DurationText.parse("30", bareNumberIsSeconds: true)      // .success(.seconds(30))
/// DurationText.format(.seconds(200))                       // "3m20s"
/// ```
public enum DurationText {
    /// What the grammar looks like, for error messages.
    public static let examples = "500ms, 30s, 2m or 1h30m"

    /// Parses a duration.
    ///
    /// - Parameters:
    ///   - text: the text; surrounding whitespace is ignored.
    ///   - bareNumberIsSeconds: whether a number without a unit means seconds (default: refused).
    /// - Returns: the duration, or a reason naming what is wrong.
    public static func parse(_ text: String, bareNumberIsSeconds: Bool = false)
        -> Result<Duration, DurationTextError>
    {
        let trimmed = trimmingWhitespace(text)
        if trimmed.hasPrefix("-") { return .failure(.init("must not be negative (got \(text))")) }
        if trimmed.isEmpty { return .failure(.init("must be a duration such as \(examples) (got an empty value)")) }
        if isDecimal(trimmed) {
            guard bareNumberIsSeconds else { return .failure(.init("needs a unit: ms, s, m, h or d (got \(text))")) }
            return nanoseconds(Double(trimmed), scale: 1).map { .success($0) } ?? .failure(bad(text))
        }
        var total = Duration.zero
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard !number.isEmpty, let scale = scale(of: unit),
                let part = nanoseconds(Double(number), scale: scale)
            else { return .failure(bad(text)) }
            let (sum, overflow) = total.components.seconds.addingReportingOverflow(part.components.seconds)
            guard !overflow, sum < Int64.max / 1_000_000_000 else { return .failure(bad(text)) }
            total += part
        }
        return .success(total)
    }

    /// A compact form for people, readable back by ``parse(_:bareNumberIsSeconds:)``:
    /// `850ms`, `1.2s`, `3m20s`, `2h`, `1h5m`.
    public static func format(_ duration: Duration) -> String {
        let total = inSeconds(duration)
        if total < 1 { return "\(Int((total * 1000).rounded()))ms" }
        if total < 60 { return "\((total * 10).rounded() / 10)s" }
        if total < 3600 {
            let minutes = Int(total) / 60
            let rest = Int(total) % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        let hours = Int(total) / 3600
        let minutes = (Int(total) % 3600) / 60
        return minutes == 0 ? "\(hours)h" : "\(hours)h\(minutes)m"
    }

    private static func isDecimal(_ text: String) -> Bool {
        text.contains { $0.isNumber } && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }

    private static func scale(of unit: Substring) -> Double? {
        switch unit {
        case "ms": 1e6
        case "s": 1e9
        case "m": 60e9
        case "h": 3600e9
        case "d": 86_400e9
        default: nil
        }
    }

    /// `value × scale` nanoseconds, or nil when `value` is missing or the result does not fit.
    private static func nanoseconds(_ value: Double?, scale: Double) -> Duration? {
        guard let value, value.isFinite, value >= 0 else { return nil }
        let nanos = (value * scale).rounded()
        guard nanos < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanos))
    }

    private static func bad(_ text: String) -> DurationTextError {
        .init("must be a duration such as \(examples) (got \(text))")
    }
}

/// Why a duration could not be read.
public struct DurationTextError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A duration in seconds, as a `Double` (fractions included): for rates, ratios and display.
///
/// ```swift
/// inSeconds(.milliseconds(1500))   // 1.5
/// ```
public func inSeconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
}

/// `text` without leading and trailing whitespace (what Foundation's `trimmingCharacters(in:)`
/// does, for the modules that do without Foundation).
public func trimmingWhitespace(_ text: some StringProtocol) -> String {
    var slice = Substring(text)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
}
