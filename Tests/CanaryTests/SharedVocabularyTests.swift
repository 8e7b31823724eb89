import Canary
import Foundation
import Testing

struct FailureClassTests {
    @Test(arguments: [
        (200, nil), (204, nil), (301, nil),
        (400, FailureClass.clientError), (401, .authError), (403, .authError), (404, .clientError),
        (408, .timeout), (409, .clientError), (413, .clientError), (422, .clientError), (429, .rateLimited),
        (500, .serverError), (502, .serverError), (503, .serverError), (504, .serverError), (529, .serverError),
    ])
    func httpStatusesMapToTheOneTable(status: Int, expected: FailureClass?) {
        #expect(FailureClass(httpStatus: status) == expected)
    }

    @Test func onlyTransientClassesAreRetriedAndAMisconfiguredConnectionFailsOverWithoutARetry() {
        #expect(FailureClass.allCases.filter(\.isRetryable) == [.timeout, .rateLimited, .serverError, .connection])
        #expect(
            FailureClass.allCases.filter(\.isFailover) == [.timeout, .rateLimited, .serverError, .connection, .tls, .dns])
        #expect(FailureClass.allCases.filter(\.isConfigurationProblem) == [.tls, .dns, .authError])
        #expect(
            FailureClass.pathFailures == [.timeout, .rateLimited, .serverError, .connection, .tls, .dns, .authError, .other])
    }

    @Test func countsOfAClassThisBuildDoesNotKnowAreReadAsOther() throws {
        // A newer replica of a fleet being upgraded may publish a class an older one lacks.
        let counts = try JSONDecoder().decode(
            FailureCounts.self, from: Data(#"{"serverError": 2, "tls": 1, "quantumFlux": 3, "other": 1}"#.utf8))
        #expect(counts[.serverError] == 2)
        #expect(counts[.tls] == 1)
        #expect(counts[.other] == 4)
        let again = try JSONDecoder().decode(FailureCounts.self, from: JSONEncoder().encode(counts))
        #expect(again == counts)
    }
}

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

    @Test func aDateBecomesTheWaitFromNowAndNeverNegative() {
        let retry = RetryAfter.date(unixSeconds: 1_000)
        #expect(retry.delay(atUnixTime: 990) == .seconds(10))
        #expect(retry.delay(atUnixTime: 2_000) == .zero)
        #expect(RetryAfter.delay(.seconds(4)).delay(atUnixTime: 123) == .seconds(4))
    }
}

struct PriceTableTests {
    @Test(arguments: [
        // model, input tokens, output tokens, cached input, expected dollars (hand-computed)
        ("gpt-4.1", 1_000_000, 1_000_000, 0, 2.00 + 8.00),
        ("claude-sonnet-4.5", 2_000, 1_000, 0, 2_000 * 3.0 / 1e6 + 1_000 * 15.0 / 1e6),
        ("gemini-2.5-flash", 10_000, 4_000, 5_000, 5_000 * 0.30 / 1e6 + 5_000 * 0.075 / 1e6 + 4_000 * 2.50 / 1e6),
        ("deepseek-v3.2", 0, 1_000_000, 0, 0.42),
    ])
    func costFollowsTheTable(model: String, input: Int, output: Int, cached: Int, dollars: Double) throws {
        let cost = try #require(PriceTable.defaults.cost(model: model, inputTokens: input, outputTokens: output, cachedInputTokens: cached))
        #expect(abs(cost - dollars) < 1e-12)
    }

    @Test func seedsOutputPricesAreTheDefaults() {
        let table = PriceTable.defaults
        #expect(table.price(for: "gpt-4.1")?.outputPerMTok == 8)
        #expect(table.price(for: "claude-sonnet-4.5")?.outputPerMTok == 15)
        #expect(table.price(for: "gemini-2.5-flash")?.outputPerMTok == 2.5)
        #expect(table.price(for: "deepseek-v3.2")?.outputPerMTok == 0.42)
    }

    @Test func datedAndVendorPrefixedNamesFindTheirBaseModel() {
        let table = PriceTable.defaults
        #expect(table.price(for: "gpt-4.1-2025-04-14") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "openai/gpt-4.1") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "gpt-4.1-mini") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "llama-3") == nil)
    }
}

struct ManualClockTests {
    @Test func sleepersWakeWhenTimeReachesTheirDeadlineInOrder() async throws {
        let clock = ManualClock()
        let order = Order()
        let late = Task { try await clock.sleep(for: .seconds(10)); await order.append(10) }
        let early = Task { try await clock.sleep(for: .seconds(5)); await order.append(5) }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .seconds(1))
        try await early.value
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(5))
        try await late.value
        #expect(await order.values == [5, 10])
    }

    @Test func cancellingASleeperThrowsAndRemovesIt() async {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)
    }

    @Test func sleepingUntilThePastReturnsAtOnce() async throws {
        let clock = ManualClock(now: .init(offset: .seconds(100)))
        try await clock.sleep(until: .init(offset: .seconds(50)), tolerance: nil)
        #expect(clock.now == .init(offset: .seconds(100)))
    }

    actor Order {
        var values: [Int] = []
        func append(_ value: Int) { values.append(value) }
    }
}

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
        for bad in ["2026-11-18 09:46:40Z", "2026-13-18T09:46:40Z", "2026-11-18T11:06:40", "2026-11-18T11:06:40.Z", "yesterday"] {
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

import Foundation
