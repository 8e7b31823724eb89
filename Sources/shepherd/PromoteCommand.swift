import ArgumentParser
import Operator

/// `shepherd promote`: POST /admin/promote on a running server.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Move a running server's rollout one step up the ladder now.",
        discussion: """
            Prints the transition it made. A phase that does not allow it is refused with the \
            server's reason and exit code 7; other exit codes as for `shepherd status`.

            Example: shepherd promote --reason "on-call: see incident 1234"
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?

    func run() async throws {
        try await runAdminCommand(.promote, reason: reason, options: admin)
    }
}
