import ArgumentParser
import Operator

/// `shepherd pause`: POST /admin/pause on a running server.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Hold a running server's rollout at its current percentage.",
        discussion: """
            Prints the transition it made. A phase that does not allow it is refused with the \
            server's reason and exit code 7; other exit codes as for `shepherd status`.

            Example: shepherd pause --reason "on-call: see incident 1234"
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?

    func run() async throws {
        try await runAdminCommand(.pause, reason: reason, options: admin)
    }
}
