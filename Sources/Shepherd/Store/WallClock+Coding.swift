import Resilience

/// Instants travel as ISO 8601 text in UTC, exact to the nanosecond: what an operator reads in
/// `curl …/admin/events` and what a script parses, and what the store round-trips unchanged.
///
/// ```json
/// "time": "2026-11-21T14:05:09.120Z"
/// "time": "2026-11-21T14:05:09.120000317Z"   // sub-millisecond digits only when there are some
/// ```
/// Decoding also takes a number of Unix seconds.
extension WallClock.Instant: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            guard seconds.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a finite time")
            }
            self.init(unixSeconds: seconds)
            return
        }
        let text = try container.decode(String.self)
        guard let instant = Self(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected an ISO 8601 time in UTC like 2026-11-21T14:05:09.120Z, got \"\(text)\"")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }

    /// `2026-11-21T14:05:09.120Z`: at least milliseconds, up to nanoseconds when they are not zero.
    public var iso8601: String { iso8601(fractionDigits: 3...9) }

    /// ISO 8601 in UTC with between `fractionDigits.lowerBound` and `.upperBound` fractional
    /// digits (truncated, trailing zeros dropped down to the lower bound).
    func iso8601(fractionDigits: ClosedRange<Int>) -> String {
        var (seconds, attoseconds) = sinceEpoch.components
        if attoseconds < 0 {
            seconds -= 1
            attoseconds += 1_000_000_000_000_000_000
        }
        let time = CivilTime(unixSeconds: seconds)
        func pad(_ value: Int, _ width: Int) -> String { CivilTime.padded(value, width) }
        var fraction = String(pad(Int(attoseconds / 1_000_000_000), 9).prefix(fractionDigits.upperBound))
        while fraction.count > fractionDigits.lowerBound, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2))T"
            + "\(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2)).\(fraction)Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC only, up to nine fractional digits).
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue!
        }
        guard bytes.count >= 20, byte(4, is: "-"), byte(7, is: "-"), byte(10, is: "T"), byte(13, is: ":"),
            byte(16, is: ":"), bytes.last == Character("Z").asciiValue!,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var nanos = 0
        if bytes.count > 20 {
            let digits = bytes.count - 21
            guard byte(19, is: "."), (1...9).contains(digits), let fraction = number(20..<(bytes.count - 1)) else {
                return nil
            }
            nanos = fraction
            for _ in digits..<9 { nanos *= 10 }
        }
        let time = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        self.init(sinceEpoch: .seconds(time.unixSeconds) + .nanoseconds(Int64(nanos)))
    }
}
