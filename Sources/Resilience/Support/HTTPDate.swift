import Canary

/// HTTP dates (RFC 9110 §5.6.7) to and from seconds since the Unix epoch, on ``CivilTime``.
///
/// ```swift
/// HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")   // 784111777
/// HTTPDate.format(unixSeconds: 784_111_777)         // "Sun, 06 Nov 1994 08:49:37 GMT"
/// ```
package enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// Reads the three forms a recipient must accept: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
    /// RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
    ///
    /// - Returns: seconds since the Unix epoch, or `nil` when the text is not an HTTP date.
    package static func parse(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        let day: Int
        let monthName: String
        let year: Int
        let time: String
        if parts.count == 6, parts[5] == "GMT" {
            guard let d = Int(parts[1]), var y = Int(parts[3]) else { return nil }
            if parts[3].count == 2 { y += y < 70 ? 2000 : 1900 }  // RFC 850 two-digit year
            (day, monthName, year, time) = (d, parts[2], y, parts[4])
        } else if parts.count == 5 {
            guard let d = Int(parts[2]), let y = Int(parts[4]) else { return nil }
            (day, monthName, year, time) = (d, parts[1], y, parts[3])
        } else {
            return nil
        }
        guard let monthIndex = months.firstIndex(where: { $0.lowercased() == monthName.lowercased() }) else {
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2]),
            (1...31).contains(day), (1900...9999).contains(year)
        else { return nil }
        return CivilTime(
            year: year, month: monthIndex + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]
        ).unixSeconds
    }

    /// Writes an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    package static func format(unixSeconds: Int64) -> String {
        let time = CivilTime(unixSeconds: unixSeconds)
        func two(_ value: Int) -> String { CivilTime.padded(value, 2) }
        return "\(weekdays[time.weekday]), \(two(time.day)) \(months[time.month - 1]) \(time.year) "
            + "\(two(time.hour)):\(two(time.minute)):\(two(time.second)) GMT"
    }
}
