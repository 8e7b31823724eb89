import ArgumentParser
import Canary
import Foundation
import Operator
import Shepherd
import ShepherdPostgres

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

    @Option(
        name: .long,
        help: "The SQLite state file, or the postgres:// URL of a shared store (default: the one shepherd serve uses).")
    var state: String?

    @Option(name: .long, help: "The rollout to report on (default: the only one in the state file).")
    var rollout: String?

    @Option(
        name: .long,
        help: "The serve configuration to take the state file from (default: shepherd.yaml when it exists).")
    var config: String?

    /// Reads a rollout from the shared PostgreSQL store (password from `SHEPHERD_POSTGRES_PASSWORD`).
    static func loadShared(url: String, rolloutID requested: String?) async throws -> ReportData {
        let store = PostgresRolloutStore(
            configuration: try PostgresStoreConfiguration(
                url: url, password: ProcessInfo.processInfo.environment["SHEPHERD_POSTGRES_PASSWORD"]))
        return try await withThrowingTaskGroup(of: ReportData?.self) { group in
            group.addTask {
                try await store.run()
                return nil
            }
            defer { group.cancelAll() }
            let rolloutID = try ReportData.chooseRollout(requested, among: try await store.rolloutIDs(), path: url)
            let data = try await ReportData.load(
                from: store, rolloutID: rolloutID, source: url, generatedAt: WallClock().now)
            try await store.close()
            return data
        }
    }

    func run() async throws {
        let statePath = try resolveStatePath()
        let data: ReportData
        do {
            if PostgresStoreConfiguration.isPostgresURL(statePath) {
                data = try await Self.loadShared(url: statePath, rolloutID: rollout)
            } else {
                data = try await ReportData.load(storeAt: statePath, rolloutID: rollout, generatedAt: WallClock().now)
            }
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
