/// A time of day on a proleptic Gregorian date in UTC, to the second, and its conversion to and
/// from seconds since the Unix epoch: the one date codec behind HTTP dates (`Retry-After`) and
/// the ISO 8601 instants of the rollout's stored state and audit log.
///
/// Howard Hinnant's `days_from_civil` and `civil_from_days`, in plain integer arithmetic: no
/// libc time zone state, no Foundation. Out-of-range fields roll over the way `timegm` does
/// (the 31st of February is the 3rd of March, second 60 the next minute's first).
///
/// ```swift
/// CivilTime(unixSeconds: 784_111_777)   // 1994-11-06 08:49:37, a Sunday
/// CivilTime(year: 1994, month: 11, day: 6, hour: 8, minute: 49, second: 37).unixSeconds  // 784111777
/// ```
package struct CivilTime: Sendable, Hashable {
    package var year: Int
    /// 1…12.
    package var month: Int
    /// 1…31.
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int

    package init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The calendar time of `unixSeconds` (seconds since 1970-01-01T00:00:00Z, negative before).
    package init(unixSeconds: Int64) {
        let days = Int(unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400)
        let secondsOfDay = Int(unixSeconds - Int64(days) * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(
            year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: doy - (153 * mp + 2) / 5 + 1,
            hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60, second: secondsOfDay % 60)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    package var unixSeconds: Int64 {
        Int64(daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The day of the week, 0 for Sunday through 6 for Saturday.
    package var weekday: Int {
        ((daysSinceEpoch + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday
    }

    /// Days since 1970-01-01.
    private var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension CivilTime {
    /// `value` in decimal, left-padded with zeros to `width` digits.
    package static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
