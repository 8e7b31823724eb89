import ArgumentParser
import Canary
import Foundation
import Operator

/// `shepherd report`: a self-contained report of a rollout, read from the state store.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained report of a rollout from the state file: HTML with charts, or Markdown.",
        discussion: """
            For a post-migration review or an incident write-up: the canary percentage over time with \
            every transition marked, success rate and latency (p50/p95) per path, spend and cost per 1k \
            requests per path in the scoring window, each step, every transition with its structured \
            reason, and the final state. The HTML file has its charts as inline SVG and loads nothing \
            from anywhere; the Markdown has the same facts in tables.

            The state file defaults to the one shepherd serve uses: the state: key of --config (or of \
            shepherd.yaml when it exists), else shepherd.sqlite. It is only read, never created. The \
            rollout defaults to the only one in the file. Exits 2 when the file or the rollout cannot \
            be used, 1 when the report cannot be written.

            Example: shepherd report --state /var/lib/shepherd/state.sqlite --format html --out rollout.html
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, md
    }

    @Option(name: .long, help: "Output format: html or md (Markdown).")
    var format: Format = .html

    @Option(name: .long, help: "Write the report to this file instead of standard output.")
    var out: String?

    @Option(name: .long, help: "The SQLite state file (default: the one shepherd serve uses).")
    var state: String?

    @Option(name: .long, help: "The rollout to report on (default: the only one in the state file).")
    var rollout: String?

    @Option(name: .long, help: "The serve configuration to take the state file from (default: shepherd.yaml when it exists).")
    var config: String?

    func run() async throws {
        let statePath = try resolveStatePath()
        let data: ReportData
        do {
            data = try await ReportData.load(storeAt: statePath, rolloutID: rollout, generatedAt: WallClock().now)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let text = format == .html ? ReportRenderer.html(data) : ReportRenderer.markdown(data)
        guard let out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            printError("error: cannot write the report to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(
            "wrote \(out): \(format == .html ? "HTML" : "Markdown") report of rollout \(data.rolloutID) "
                + "(\(data.events.count) transitions, \(data.evaluations.count) evaluations) from \(statePath)")
    }

    /// `--state`, else the `state:` key of the configuration `serve` would read, else `shepherd.sqlite`.
    private func resolveStatePath() throws -> String {
        if let state { return state }
        let file =
            config
            ?? (FileManager.default.fileExists(atPath: ReportStateFile.defaultConfiguration)
                ? ReportStateFile.defaultConfiguration : nil)
        guard let file else { return ReportStateFile.fallback }
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return ReportStateFile.path(inConfiguration: text) ?? ReportStateFile.fallback
        } catch {
            printError("error: \(file): cannot be read (\(error.localizedDescription)); pass --state FILE")
            throw ExitCode(2)
        }
    }
}
