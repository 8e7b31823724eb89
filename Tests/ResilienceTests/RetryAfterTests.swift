import Canary
import Resilience
import Testing

struct RetryAfterTests {
    @Test func secondsParseAsADelay() {
        #expect(RetryAfter(headerValue: "120") == .delay(.seconds(120)))
        #expect(RetryAfter(headerValue: " 3 ") == .delay(.seconds(3)))
        #expect(RetryAfter(headerValue: "1.5") == .delay(.milliseconds(1500)))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
        "Sun Nov  6 08:49:37 1994",  // asctime
    ])
    func allThreeHTTPDateFormsParse(text: String) {
        #expect(RetryAfter(headerValue: text) == .date(unixSeconds: 784_111_777))
    }

    @Test(arguments: ["", "soon", "-5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"])
    func garbageIsRejected(text: String) {
        #expect(RetryAfter(headerValue: text) == nil)
    }

    @Test(arguments: [
        (Int64(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"), (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"), (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
    ])
    func httpDatesAreWrittenAsIMFFixdatesAndReadBack(unixSeconds: Int64, text: String) {
        #expect(HTTPDate.format(unixSeconds: unixSeconds) == text)
        #expect(HTTPDate.parse(text) == unixSeconds)
    }

    @Test func aDateBecomesTheWaitFromNowAndNeverNegative() {
        let retry = RetryAfter.date(unixSeconds: 1_000)
        #expect(retry.delay(atUnixTime: 990) == .seconds(10))
        #expect(retry.delay(atUnixTime: 2_000) == .zero)
        #expect(RetryAfter.delay(.seconds(4)).delay(atUnixTime: 123) == .seconds(4))
    }
}
