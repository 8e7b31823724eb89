import ArgumentParser
import Operator

/// `shepherd set-percent P`: POST /admin/percent on a running server.
struct SetPercentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-percent",
        abstract: "Set a running server's canary percentage directly (0 rolls back, the maximum promotes).",
        discussion: """
            Prints the transition it made. Refused (exit code 7) while the rollback switch is engaged \
            and the percentage would send traffic to the relay.

            Example: shepherd set-percent 25 --reason "skip ahead after the load test"
            """
    )

    @OptionGroup var admin: AdminOptions

    @Argument(help: "The relay's share of traffic, 0…100.")
    var percent: Double

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?

    func validate() throws {
        guard percent.isFinite, (0...100).contains(percent) else {
            throw ValidationError("the percentage must be from 0 to 100 (got \(percent))")
        }
    }

    func run() async throws {
        let result = try await admin.withClient { try await $0.setPercent(percent, reason: reason) }
        print(StatusText.commandLine("set-percent", result))
    }
}
