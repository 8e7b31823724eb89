import ArgumentParser
import Operator

/// `shepherd pause|promote|resume|rollback`: one POST to `/admin/<command>` on a running server,
/// printing the transition it made.
protocol RampAdminCommand: AsyncParsableCommand {
    /// The admin command sent.
    static var command: AdminCommand { get }
    var options: RampCommandOptions { get }
}

extension RampAdminCommand {
    /// The command's help: its name, `abstract`, and what every ramp command prints and exits with.
    static func help(_ abstract: String) -> CommandConfiguration {
        CommandConfiguration(
            commandName: command.rawValue,
            abstract: abstract,
            discussion: """
                Prints the transition it made. A phase that does not allow it is refused with the \
                server's reason and exit code 7; other exit codes as for `shepherd status`.

                Example: shepherd \(command.rawValue) --reason "on-call: see incident 1234"
                """
        )
    }

    func run() async throws {
        try await runAdminCommand(Self.command, reason: options.reason, options: options.admin)
    }
}

/// The options every ramp command takes: the server, and why.
struct RampCommandOptions: ParsableArguments {
    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Why, for the audit log (default: \"admin API\").")
    var reason: String?
}

struct PauseCommand: RampAdminCommand {
    static let command = AdminCommand.pause
    static let configuration = help("Hold a running server's rollout at its current percentage.")
    @OptionGroup var options: RampCommandOptions
}

struct PromoteCommand: RampAdminCommand {
    static let command = AdminCommand.promote
    static let configuration = help("Move a running server's rollout one step up the ladder now.")
    @OptionGroup var options: RampCommandOptions
}

struct ResumeCommand: RampAdminCommand {
    static let command = AdminCommand.resume
    static let configuration = help("Continue a paused rollout, or restart a rolled-back one at the first step.")
    @OptionGroup var options: RampCommandOptions
}

struct RollbackCommand: RampAdminCommand {
    static let command = AdminCommand.rollback
    static let configuration = help(
        "Send all of a running server's traffic back to legacy (the ramp goes to rolledBack).")
    @OptionGroup var options: RampCommandOptions
}
