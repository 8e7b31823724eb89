import Canary
import Foundation
import Operator
import Shepherd
import ShepherdTesting
import Testing

/// Drives the real `shepherd dashboard` in a detached tmux session against a real server.
///
/// tmux is an external process: the test polls its pane with a bounded number of short waits
/// (about 10 s in all for each condition), never an unbounded one.
struct DashboardTmuxTests {
    /// A tmux server of its own (`-L`), without the user's configuration (`-f /dev/null`).
    struct Tmux {
        let executable: String
        let socket: String

        static func find() -> String? {
            ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux", "/bin/tmux"]
                .first { FileManager.default.isExecutableFile(atPath: $0) }
        }

        static let environment = [
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin", "TERM": "xterm-256color",
        ]

        /// Runs `tmux arguments…` (see ``ProcessRunner`` for why not `Process`).
        @discardableResult
        func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let outcome = try await ProcessRunner.run(
                executable, ["-u", "-L", socket, "-f", "/dev/null"] + arguments, environment: Self.environment,
                timeout: .seconds(20))
            return (outcome.status, outcome.stdout + outcome.stderr)
        }

        func pane() async throws -> [String] {
            try await run(["capture-pane", "-p", "-t", "dash"]).output
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }

        func display(_ format: String) async throws -> String {
            try await run(["display-message", "-p", "-t", "dash", format]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Polls `condition` up to 100 times, 100 ms apart.
        func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
            for _ in 0..<100 {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            let pane = (try? await self.pane().joined(separator: "\n")) ?? "(no pane)"
            let state = (try? await display("dead=#{pane_dead} status=#{pane_dead_status} pid=#{pane_pid}")) ?? "?"
            let pid = state.split(separator: "=").last.flatMap { Int($0) } ?? 0
            let process =
                (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
                .split(separator: "\n").filter { $0.hasPrefix("State") || $0.hasPrefix("Name") }
                .joined(separator: ", ") ?? "gone"
            Issue.record("timed out waiting for \(what) (\(state); process: \(process)); the pane shows:\n\(pane)")
            throw TimedOut()
        }

        struct TimedOut: Error {}
    }

    /// Runs `body` with a tmux server of its own and the `shepherd` binary; the tmux server is
    /// killed afterwards whatever happened. Without tmux the test fails, saying to install it.
    static func withTmux(_ body: (Tmux, URL) async throws -> Void) async throws {
        guard let executable = Tmux.find() else {
            Issue.record(
                "tmux is not installed: install it (apt-get install tmux) to run the dashboard test; CI installs it")
            return
        }
        let binary = try #require(
            ProductBinary.shepherd, "the shepherd executable was not found next to the test binary")
        let tmux = Tmux(executable: executable, socket: "shepherd-op-\(UUID().uuidString.prefix(8))-\(getpid())")
        // Kill the tmux server whatever happened.
        func killServer() async {
            _ = try? await ProcessRunner.run(
                executable, ["-L", tmux.socket, "kill-server"], environment: Tmux.environment, timeout: .seconds(10))
        }
        do {
            // A placeholder first, so that remain-on-exit is set before a dashboard can exit.
            try await tmux.run(["new-session", "-d", "-s", "dash", "-x", "80", "-y", "30", "sleep 600"])
            try await tmux.run(["set-option", "-g", "remain-on-exit", "on"])
            try await body(tmux, binary)
        } catch {
            await killServer()
            throw error
        }
        await killServer()
    }

    /// Starts `shepherd dashboard` in the pane under a shell that writes its exit status to a
    /// file, and waits until it shows the rollout on the alternate screen.
    ///
    /// The status comes from the shell, not from tmux's `pane_dead_status`: under load tmux was
    /// seen to leave an exited pane process unreaped for seconds.
    ///
    /// - Returns: the file the exit status will be written to.
    static func startDashboard(_ tmux: Tmux, _ binary: URL, _ server: LiveServer) async throws -> String {
        let statusFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("shepherd-dashboard-\(UUID().uuidString).status").path
        let command =
            "env SHEPHERD_URL=\(server.url) SHEPHERD_ADMIN_TOKEN=\(adminToken) TERM=xterm-256color "
            + "'\(binary.path)' dashboard --interval 0.3; echo $? > '\(statusFile)'"
        try await tmux.run(["respawn-pane", "-k", "-t", "dash", command])
        try await tmux.waitFor("the dashboard to take the screen") {
            let alternate = try await tmux.display("#{alternate_on}") == "1"
            let pane = try await tmux.pane()
            return alternate && pane.contains { $0.contains("▲ RAMPING") || $0.contains("‖ PAUSED") }
        }
        return statusFile
    }

    /// The dashboard's pid: the child of the pane's shell.
    static func dashboardPID(_ tmux: Tmux) async throws -> Int32 {
        let shell = try #require(Int32(try await tmux.display("#{pane_pid}")))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries.compactMap(Int32.init) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // pid (comm) state ppid …: the comm may hold spaces, so read after its closing parenthesis.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == shell { return pid }
        }
        Issue.record("no child of the pane's shell \(shell)")
        throw Tmux.TimedOut()
    }

    /// Waits until the dashboard has exited and the terminal is back on the main screen.
    ///
    /// - Returns: the dashboard's exit status.
    static func exitStatus(_ tmux: Tmux, _ statusFile: String, after what: String) async throws -> String {
        defer { try? FileManager.default.removeItem(atPath: statusFile) }
        try await tmux.waitFor("the dashboard to exit after \(what)") {
            FileManager.default.contents(atPath: statusFile).map { !$0.isEmpty } ?? false
        }
        // The restoring escape codes were written before the exit; tmux reads them in its own time.
        try await tmux.waitFor("the main screen after \(what) (the dashboard left the alternate screen on)") {
            try await tmux.display("#{alternate_on}") == "0"
        }
        let data = FileManager.default.contents(atPath: statusFile) ?? Data()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func dashboardRunsPausesRedrawsOnResizeAndRestoresTheTerminal() async throws {
        try await Self.withTmux { tmux, binary in
            try await LiveServer.with { server in
                let statusFile = try await Self.startDashboard(tmux, binary, server)
                var pane = try await tmux.pane()
                #expect(pane[0].contains("SHEPHERD │ operator-test │ \(server.url)"))
                #expect(pane.last { !$0.isEmpty }?.contains("q quit") == true)
                #expect(Self.relayColumn(pane) == 2 + 14 + 32)

                try await tmux.run(["send-keys", "-t", "dash", "p"])
                try await tmux.waitFor("the server to pause") { server.router.controller.state.phase == .paused }
                try await tmux.waitFor("the pane to say paused") {
                    let pane = try await tmux.pane()
                    return pane.contains { $0.contains("‖ PAUSED") }
                        && pane.contains { $0.contains("› pause: ramping 5% → paused 5%") }
                }

                try await tmux.run(["resize-window", "-t", "dash", "-x", "100", "-y", "40"])
                try await tmux.waitFor("the layout to redraw at 100 columns") {
                    let pane = try await tmux.pane()
                    return Self.relayColumn(pane) == 2 + 14 + 42 && pane.count >= 40 && pane[39].contains("q quit")
                }
                pane = try await tmux.pane()
                #expect(pane.allSatisfy { $0.unicodeScalars.count <= 100 })

                try await tmux.run(["send-keys", "-t", "dash", "q"])
                let status = try await Self.exitStatus(tmux, statusFile, after: "q")
                #expect(status == "0", "the dashboard exited with \(status)")
                #expect(server.router.controller.state.phase == .paused)
            }
        }
    }

    @Test func dashboardRestoresTheTerminalOnControlCAndOnSIGTERM() async throws {
        try await Self.withTmux { tmux, binary in
            try await LiveServer.with { server in
                var statusFile = try await Self.startDashboard(tmux, binary, server)
                try await tmux.run(["send-keys", "-t", "dash", "C-c"])
                var status = try await Self.exitStatus(tmux, statusFile, after: "Ctrl-C")
                #expect(status == "0", "Ctrl-C: the dashboard exited with \(status)")

                statusFile = try await Self.startDashboard(tmux, binary, server)
                #expect(kill(try await Self.dashboardPID(tmux), SIGTERM) == 0)
                status = try await Self.exitStatus(tmux, statusFile, after: "SIGTERM")
                #expect(status == "143", "SIGTERM: the dashboard exited with \(status)")
                #expect(server.router.controller.state.phase == .ramping, "no key was a command")
            }
        }
    }

    /// The column where the path table's `RELAY` heading starts, if the table is on screen.
    static func relayColumn(_ pane: [String]) -> Int? {
        guard let header = pane.first(where: { $0.contains("LEGACY (") && $0.contains("RELAY (") }),
            let range = header.range(of: "RELAY (")
        else { return nil }
        return header.unicodeScalars.distance(
            from: header.unicodeScalars.startIndex, to: range.lowerBound.samePosition(in: header.unicodeScalars)!)
    }
}
