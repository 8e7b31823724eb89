import ArgumentParser
import Operator

/// `shepherd resume`: POST /admin/resume on a running server.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a paused rollout, or restart a rolled-back one at the first step.",
        discussion: """
            Prints the transition it made. A phase that does not allow it is refused with the \
            server's reason and exit code 7; other exit codes as for `shepherd status`.

            Example: shepherd resume --reason "on-call: see incident 1234"
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?

    func run() async throws {
        try await runAdminCommand(.resume, reason: reason, options: admin)
    }
}
