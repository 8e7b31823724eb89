import ArgumentParser

@main
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
