import Foundation
import Shepherd
import Testing

struct WallClockTests {
    @Test func instantsPrintAsUTCAndRoundTripThroughCodable() throws {
        let instant = WallClock.Instant(unixSeconds: 784_111_777.25)
        #expect(instant.description == "1994-11-06T08:49:37.250Z")
        let data = try JSONEncoder().encode(instant)
        #expect(String(decoding: data, as: UTF8.self) == #""1994-11-06T08:49:37.250Z""#)
        #expect(try JSONDecoder().decode(WallClock.Instant.self, from: data) == instant)
    }

    @Test(arguments: [
        (Duration.seconds(1_795_000_000) + .nanoseconds(120_000_317), "2026-11-18T11:06:40.120000317Z"),
        (Duration.seconds(1_795_000_000), "2026-11-18T11:06:40.000Z"),
        (Duration.zero, "1970-01-01T00:00:00.000Z"),
        (Duration.milliseconds(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func iso8601IsExactToTheNanosecond(sinceEpoch: Duration, text: String) throws {
        let instant = WallClock.Instant(sinceEpoch: sinceEpoch)
        #expect(instant.iso8601 == text)
        #expect(WallClock.Instant(iso8601: text) == instant)
        let now = WallClock().now
        #expect(try JSONDecoder().decode(WallClock.Instant.self, from: JSONEncoder().encode(now)) == now)
    }

    @Test func decodingTakesUnixSecondsAndRefusesOtherText() throws {
        let decoded = try JSONDecoder().decode([WallClock.Instant].self, from: Data("[1795000000.5]".utf8))
        #expect(decoded == [WallClock.Instant(unixSeconds: 1_795_000_000.5)])
        for bad in [
            "2026-11-18 09:46:40Z", "2026-13-18T09:46:40Z", "2026-11-18T11:06:40", "2026-11-18T11:06:40.Z", "yesterday",
        ] {
            #expect(WallClock.Instant(iso8601: bad) == nil, "\(bad)")
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode([WallClock.Instant].self, from: Data("[\"\(bad)\"]".utf8))
            }
        }
    }

    @Test func nowIsCalendarTime() {
        // 2020-01-01 and 2100-01-01 bracket any machine this runs on.
        #expect(WallClock().now.unixSeconds > 1_577_836_800)
        #expect(WallClock().now.unixSeconds < 4_102_444_800)
    }
}
