import ArgumentParser
import Operator

/// `shepherd dashboard`: the live terminal view of a running server.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Watch a running server's rollout live: ramp, health of both paths, verdict, events.",
        discussion: """
            Full screen on a terminal. Keys: p pause, r resume, b rollback (asks y/n), + promote, \
            q quit. With --plain, or when standard output is not a terminal, prints one status line \
            per interval instead (for pipes and CI logs). Exit codes as for `shepherd status`; 130 \
            on SIGINT and 143 on SIGTERM (the terminal is restored first).

            Example: SHEPHERD_ADMIN_TOKEN=… shepherd dashboard --url http://127.0.0.1:8080 --interval 2
            """
    )

    @OptionGroup var admin: AdminOptions

    @Option(name: .long, help: "Seconds between refreshes.")
    var interval: Double = 2

    @Flag(name: .long, help: "One status line per interval, no escape codes (automatic when stdout is not a terminal).")
    var plain = false

    func validate() throws {
        guard interval.isFinite, interval >= 0.1, interval <= 3600 else {
            throw ValidationError("--interval must be from 0.1 to 3600 seconds (got \(interval))")
        }
    }

    func run() async throws {
        let configuration = DashboardSession<ContinuousClock>.Configuration(
            interval: .milliseconds(Int64((interval * 1000).rounded())), display: plain ? .plain : .automatic)
        let exit = try await admin.withClient { client in
            try await DashboardSession(source: client, configuration: configuration).run()
        }
        if case .signal(let signal) = exit { throw ExitCode(128 + signal) }
    }
}
