import ArgumentParser
import Operator

/// `shepherd rollback-switch engage|release`: POST /admin/rollback-switch on a running server.
struct RollbackSwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback-switch",
        abstract: "Engage or release a running server's rollback switch: all traffic to legacy, the ramp kept.",
        discussion: """
            `engage` sends every request to legacy at once and freezes the ramp without changing it; \
            `release` lets the stored percentage apply again. Unlike `shepherd rollback`, nothing is \
            reset: the ramp continues where it was. This is the switch's live override (not kept \
            across a restart); SHEPHERD_ROLLBACK and the flag file are separate sources that \
            `release` leaves alone, and the output names any that still hold the switch. Exit codes \
            as for `shepherd status`.

            Example: shepherd rollback-switch engage --reason "relay incident INC-2231"
            """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case engage
        case release
    }

    @OptionGroup var admin: AdminOptions

    @Argument(help: "engage or release.")
    var action: Action

    @Option(name: .long, help: "Why, for the log and the status (default: \"admin API\").")
    var reason: String?

    func run() async throws {
        let engaging = action == .engage
        let result = try await admin.withClient { try await $0.setRollbackSwitch(engaged: engaging, reason: reason) }
        print(StatusText.switchCommandLine(engaging: engaging, result))
    }
}
