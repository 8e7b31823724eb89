import ArgumentParser
import Canary

/// `shepherd simulate`: replay a policy against a scenario in virtual time.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a rollout policy against a traffic and fault scenario in virtual time.",
        discussion: """
            Drives the real split, health window, scorer and ramp controller on a virtual clock and \
            prints the timeline of decisions and the final state. Deterministic for a given seed.

            Example: shepherd simulate --policy policies/default.yaml --scenario scenarios/relay-outage.yaml
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(name: .long, help: "The rollout policy (policies/*.yaml).")
    var policy: String

    @Option(name: .long, help: "The scenario (scenarios/*.yaml).")
    var scenario: String

    @Option(name: .long, help: "Random seed: the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        let policy = try loadOrExit { try RolloutPolicy.load(file: self.policy) }
        let scenario = try loadOrExit { try Scenario.load(file: self.scenario) }
        let report = Simulation(policy: policy, scenario: scenario, seed: seed).run()
        print(format == .json ? report.renderJSON() : report.renderTable())
    }
}

/// Runs a loader; a ``ConfigFileError`` becomes a one-line message and exit code 2.
func loadOrExit<T>(_ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch let error as ConfigFileError {
        printError("error: \(error)")
        throw ExitCode(2)
    }
}
