import ArgumentParser
import Foundation

/// The entry point: runs the command line in a task and parks the main thread in its run loop.
///
/// Not an `async` `main`: Swift's async entry point hands the main thread to `dispatchMain()`,
/// which parks it with `pthread_exit` and a signal wait, and under that valgrind 3.19 (Debian
/// 12's) dies with an internal SIGSEGV before the first line of Shepherd runs, so
/// `valgrind --tool=callgrind` could not count a single instruction of `shepherd serve`. The run
/// loop drains the main queue as `dispatchMain()` does (nothing in Shepherd uses the main actor;
/// a dependency that did would still be served) and valgrind runs it.
@main
enum ShepherdMain {
    static func main() {
        Task.detached {
            await ShepherdCLI.main()
            exit(0)
        }
        while true { RunLoop.main.run() }
    }
}

struct ShepherdCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shepherd",
        abstract: "Canary migration and traffic splitting for LLM API calls.",
        subcommands: [
            // one command per file: Sources/shepherd/<Name>Command.swift
            DemoCommand.self,
            SimulateCommand.self,
            ServeCommand.self,
            MockCommand.self,
            ValidateCommand.self,
            StatusCommand.self, EventsCommand.self, PromoteCommand.self, PauseCommand.self, ResumeCommand.self,
            RollbackCommand.self, RollbackSwitchCommand.self, SetPercentCommand.self, DashboardCommand.self,
            ReportCommand.self,
        ]
    )
}
