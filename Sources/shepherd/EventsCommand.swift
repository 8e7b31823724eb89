import ArgumentParser
import Canary
import Operator
import Shepherd

/// `shepherd events`: the rollout's audit log from a running server.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List a running server's rollout transitions, oldest first, with their reasons.",
        discussion: """
            Reads GET /admin/events. --since takes Unix seconds (1800000000), an ISO 8601 time in UTC \
            (2026-11-21T14:05:09Z) or an age (90s, 10m, 2h, 1d).

            Example: shepherd events --since 2h --limit 50
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Only events since this time: Unix seconds, ISO 8601 (UTC) or an age like 10m or 2h.")
    var since: String?

    @Option(name: .long, help: "At most this many (the most recent), 1…10000 (default 100).")
    var limit: Int?

    func validate() throws {
        if let since, TimeArgument.parse(since, now: WallClock().now) == nil {
            throw ValidationError("--since: expected \(TimeArgument.help); got \"\(since)\"")
        }
        if let limit, !(1...10_000).contains(limit) {
            throw ValidationError("--limit must be from 1 to 10000 (got \(limit))")
        }
    }

    func run() async throws {
        let start = since.flatMap { TimeArgument.parse($0, now: WallClock().now) }
        let events = try await admin.withClient { try await $0.events(since: start, limit: limit) }
        if events.isEmpty { print("no events") }
        for event in events { print(StatusText.eventLine(event)) }
    }
}
