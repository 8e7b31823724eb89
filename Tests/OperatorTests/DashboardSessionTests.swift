import Canary
import Operator
import Shepherd
import Synchronization
import Testing

/// A source that serves the fixture status, counts refreshes and can be told to fail.
final class FixtureSource: DashboardDataSource {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "cannot reach the fixture" }
    }

    private let state = Mutex<(refreshes: Int, failing: Bool, commands: [AdminCommand])>((0, false, []))

    var displayName: String { "fixture" }
    var refreshes: Int { state.withLock { $0.refreshes } }
    var commands: [AdminCommand] { state.withLock { $0.commands } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func refresh(historyLimit: Int, eventLimit: Int) async throws -> DashboardData {
        let failing = state.withLock { state in
            state.refreshes += 1
            return state.failing
        }
        if failing { throw Unreachable() }
        let model = StatusFixtures.rampingHealthy
        return DashboardData(status: model.status!, history: model.history, events: model.events)
    }

    func perform(_ command: AdminCommand, reason: String) async throws -> AdminCommandResult {
        state.withLock { $0.commands.append(command) }
        throw Unreachable()
    }
}

/// Lines written by a plain session, awaited by count (no sleeping).
final class LineSink: Sendable {
    private let state = Mutex<(lines: [String], waiters: [(Int, CheckedContinuation<Void, Never>)])>(([], []))

    var lines: [String] { state.withLock { $0.lines } }

    func append(_ line: String) {
        let ready = state.withLock { state in
            state.lines.append(line)
            let count = state.lines.count
            let ready = state.waiters.filter { $0.0 <= count }.map(\.1)
            state.waiters.removeAll { $0.0 <= count }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    func wait(count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.lines.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

struct DashboardSessionTests {
    static func plainSession(_ source: FixtureSource, _ sink: LineSink, _ clock: ManualClock) -> DashboardSession<
        ManualClock
    > {
        DashboardSession(
            source: source,
            configuration: .init(
                interval: .seconds(5), display: .plain, handlesSignals: false, plainOutput: { sink.append($0) }),
            clock: clock)
    }

    @Test func plainModeWritesOneLinePerIntervalOnTheInjectedClock() async throws {
        let source = FixtureSource()
        let sink = LineSink()
        let clock = ManualClock()
        let session = Self.plainSession(source, sink, clock)
        let exit = try await withThrowingTaskGroup(of: DashboardExit.self) { group in
            group.addTask { try await session.run() }
            await sink.wait(count: 1)
            #expect(source.refreshes == 1)
            for expected in 2...4 {
                await clock.waitForSleepers(count: 1)
                clock.advance(by: .seconds(5))
                await sink.wait(count: expected)
            }
            #expect(source.refreshes == 4)
            group.cancelAll()
            return try await group.next()!
        }
        #expect(exit == .cancelled)
        #expect(sink.lines.count == 4)
        #expect(sink.lines.allSatisfy { $0.contains("checkout-to-relay ramping 11.25% step 3/9") })
    }

    @Test func aFailedRefreshShowsStaleDataAndRecovers() async throws {
        let source = FixtureSource()
        let sink = LineSink()
        let clock = ManualClock()
        let session = Self.plainSession(source, sink, clock)
        _ = try await withThrowingTaskGroup(of: DashboardExit.self) { group in
            group.addTask { try await session.run() }
            await sink.wait(count: 1)
            source.setFailing(true)
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(5))
            await sink.wait(count: 2)
            source.setFailing(false)
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(5))
            await sink.wait(count: 3)
            group.cancelAll()
            return try await group.next()!
        }
        let lines = sink.lines
        #expect(lines[1].hasPrefix("STALE (cannot reach the fixture) "))
        #expect(lines[1].contains("ramping 11.25%"), "the last status stays")
        #expect(!lines[2].hasPrefix("STALE"))
    }

    @Test func aFirstRefreshThatFailsIsThrownBeforeAnythingIsDrawn() async throws {
        let source = FixtureSource()
        source.setFailing(true)
        let sink = LineSink()
        await #expect(throws: FixtureSource.Unreachable.self) {
            _ = try await Self.plainSession(source, sink, ManualClock()).run()
        }
        #expect(sink.lines.isEmpty)
    }
}
