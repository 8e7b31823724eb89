/// An upstream's `Retry-After`: either a delay or an absolute HTTP date.
///
/// RFC 9110 §10.2.3 allows both forms: `Retry-After: 120` and
/// `Retry-After: Fri, 31 Dec 1999 23:59:59 GMT`. An HTTP date is kept as
/// seconds since the Unix epoch so that this type needs no wall clock of its
/// own; ``delay(atUnixTime:)`` turns it into a wait given the current time.
///
/// ```swift
/// RetryAfter(headerValue: "3")                               // .delay(.seconds(3))
/// RetryAfter(headerValue: "Sun, 06 Nov 1994 08:49:37 GMT")   // .date(unixSeconds: 784111777)
/// RetryAfter(headerValue: "soon")                            // nil
/// ```
public enum RetryAfter: Sendable, Hashable, Codable {
    /// Wait this long.
    case delay(Duration)
    /// Wait until this instant (seconds since 1970-01-01T00:00:00Z).
    case date(unixSeconds: Int64)

    /// Parses a `Retry-After` header value.
    ///
    /// Accepts delay-seconds (a non-negative integer, fractional seconds
    /// tolerated because some gateways send them), the IMF-fixdate form and the
    /// two obsolete forms RFC 9110 requires recipients to accept (RFC 850 and
    /// asctime).
    ///
    /// - Parameter headerValue: the raw header value.
    /// - Returns: `nil` when the value is neither a delay nor a date.
    public init?(headerValue: String) {
        let value = headerValue.trimmingSpaces()
        if value.isEmpty { return nil }
        if value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let seconds = Double(value), seconds.isFinite, seconds >= 0 else { return nil }
            self = .delay(.milliseconds(Int64((seconds * 1000).rounded())))
            return
        }
        guard let unix = HTTPDate.parse(value) else { return nil }
        self = .date(unixSeconds: unix)
    }

    /// How long to wait from the given wall-clock time.
    ///
    /// - Parameter now: the current time as seconds since the Unix epoch.
    /// - Returns: the wait, never negative (a date in the past means "now").
    public func delay(atUnixTime now: Double) -> Duration {
        switch self {
        case .delay(let duration):
            return max(.zero, duration)
        case .date(let unixSeconds):
            let seconds = Double(unixSeconds) - now
            return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
    }
}

/// A parser for the three HTTP-date forms (RFC 9110 §5.6.7), free of Foundation.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Returns seconds since the Unix epoch, or `nil` when the text is not an HTTP date.
    static func parse(_ text: String) -> Int64? {
        // Split on spaces, commas and dashes: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
        // RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994".
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        let day: Int, monthName: String, year: Int, time: String
        if parts.count == 6, parts[5] == "GMT" {
            guard let d = Int(parts[1]), var y = Int(parts[3]) else { return nil }
            if parts[3].count == 2 { y += y < 70 ? 2000 : 1900 }  // RFC 850 two-digit year
            day = d; monthName = parts[2]; year = y; time = parts[4]
        } else if parts.count == 5 {
            guard let d = Int(parts[2]), let y = Int(parts[4]) else { return nil }
            day = d; monthName = parts[1]; year = y; time = parts[3]
        } else {
            return nil
        }
        guard let monthIndex = months.firstIndex(of: monthName.lowercased()) else { return nil }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2]),
            (1...31).contains(day), (1900...9999).contains(year)
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Int64(days) * 86_400 + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
