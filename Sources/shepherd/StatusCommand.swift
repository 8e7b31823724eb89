import ArgumentParser
import Foundation
import Operator

/// `shepherd status`: the rollout of a running server, in a few lines.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running server's rollout: phase, percent, verdict, both paths, breakers, next step.",
        discussion: """
            Reads GET /admin/status of `shepherd serve`. Exit codes: 0 ok, 3 server unreachable, 4 no \
            token, 5 token refused, 6 admin API off (no SHEPHERD_ADMIN_TOKEN on the server), 9 other \
            server error, 10 unreadable answer, 11 bad URL.

            Example: SHEPHERD_ADMIN_TOKEN=… shepherd status --url http://127.0.0.1:8080
            """
    )

    @OptionGroup var admin: AdminOptions

    @Flag(name: .long, help: "Print the status as JSON (the server's /admin/status, re-encoded with sorted keys).")
    var json = false

    func run() async throws {
        let status = try await admin.withClient { try await $0.status() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            for line in StatusText.render(status, url: admin.resolvedURL) { print(line) }
        }
    }
}
