import ArgumentParser
import Canary
import Foundation
import ShepherdConfig

/// `shepherd simulate`: replay a policy against a scenario in virtual time.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a rollout policy against a traffic and fault scenario in virtual time.",
        discussion: """
            Drives the real split, health window, scorer and ramp controller on a virtual clock and \
            prints the timeline of decisions and the final state. Deterministic for a given seed.

            Example: shepherd simulate --policy policies/default.yaml --scenario scenarios/relay-outage.yaml

            With --runs N, runs seeds --seed … --seed+N−1, each until it promotes or rolls back, and \
            prints the tally instead of a timeline: the error rates of a policy against a scenario.
            Example: shepherd simulate --policy policies/default.yaml --scenario scenarios/model-mix-shift.yaml --runs 1000
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

    @Option(name: .long, help: "Run this many seeds (from --seed on) and print the tally of outcomes.")
    var runs: Int?

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1 (got \(runs))") }
    }

    func run() throws {
        let policy = try loadOrExit { try RolloutPolicy.load(file: self.policy) }
        let scenario = try loadOrExit { try Scenario.load(file: self.scenario) }
        if let runs {
            let result = SimulationStudy(policy: policy, scenario: scenario, runs: runs, firstSeed: seed).run()
            print(format == .json ? prettyJSON(result) : "\(scenario.name): \(result.summary)")
            return
        }
        let report = Simulation(policy: policy, scenario: scenario, seed: seed).run()
        print(format == .json ? prettyJSON(report) : report.renderTable())
    }
}

/// `value` as pretty-printed JSON with sorted keys, for scripts.
private func prettyJSON(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
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
