import ArgumentParser
import Operator

/// `shepherd rollback`: POST /admin/rollback on a running server.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Send all of a running server's traffic back to legacy (the ramp goes to rolledBack).",
        discussion: """
            Prints the transition it made. A phase that does not allow it is refused with the \
            server's reason and exit code 7; other exit codes as for `shepherd status`.

            Example: shepherd rollback --reason "on-call: see incident 1234"
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?

    func run() async throws {
        try await runAdminCommand(.rollback, reason: reason, options: admin)
    }
}
