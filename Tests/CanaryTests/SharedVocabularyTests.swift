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
            FailureClass.allCases.filter(\.isFailover) == [
                .timeout, .rateLimited, .serverError, .connection, .tls, .dns,
            ])
        #expect(FailureClass.allCases.filter(\.isConfigurationProblem) == [.tls, .dns, .authError])
        #expect(
            FailureClass.pathFailures == [
                .timeout, .rateLimited, .serverError, .connection, .tls, .dns, .authError, .other,
            ])
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

struct ManualClockTests {
    @Test func sleepersWakeWhenTimeReachesTheirDeadlineInOrder() async throws {
        let clock = ManualClock()
        let order = Order()
        let late = Task {
            try await clock.sleep(for: .seconds(10))
            await order.append(10)
        }
        let early = Task {
            try await clock.sleep(for: .seconds(5))
            await order.append(5)
        }
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
