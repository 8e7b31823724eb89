import Canary
import Foundation
import MockProvider
import Operator
import Shepherd
import ShepherdTesting
import Testing

/// The real `shepherd` binary's admin commands against a real server on loopback.
struct AdminCommandLineTests {
    static func run(_ arguments: [String], _ server: LiveServer, token: String? = adminToken) async throws
        -> ProcessRunner.Outcome
    {
        var environment = ["SHEPHERD_URL": server.url]
        if let token { environment["SHEPHERD_ADMIN_TOKEN"] = token }
        let run = try await ProductBinary.runShepherd(arguments, environment: environment)
        #expect(!run.stdout.contains("SECRET") && !run.stderr.contains("SECRET"), "a token was printed")
        return run
    }

    @Test func statusPrintsTheRunbookLines() async throws {
        try await LiveServer.with { server in
            let run = try await Self.run(["status"], server)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty)
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "rollout: operator-test   server: \(server.url)   at 2027-01-15T08:00:00.000Z")
            #expect(lines.contains("phase: ramping   percent: 5% (step 1/9)"))
            #expect(lines.contains("verdict: insufficientData (score 0.50)"))
            #expect(
                lines.contains { $0.hasPrefix("reason: insufficientData: sampleSize: need 20 judged calls per path") })
            #expect(lines.contains("rollback switch: off"))
            #expect(
                lines.contains {
                    $0 == "next step: 7.5% needs 20 relay calls (have 0, 20 more) and 1m held (held 0s, 1m to go)"
                })
        }
    }

    @Test func statusJSONIsTheServersStatus() async throws {
        try await LiveServer.with { server in
            let run = try await Self.run(["status", "--json", "--url", server.url], server)
            #expect(run.status == 0, "\(run.stderr)")
            let status = try JSONDecoder().decode(RolloutStatus.self, from: Data(run.stdout.utf8))
            #expect(status.rolloutID == "operator-test" && status.state.percent == 5)
        }
    }

    @Test func commandsPrintTheTransitionAndMoveTheRamp() async throws {
        try await LiveServer.with { server in
            var run = try await Self.run(["pause", "--reason", "night shift"], server)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("pause: ramping 5% → paused 5% (manualPause): "))
            #expect(run.stdout.contains("night shift"))
            #expect(server.router.controller.state.phase == .paused)

            run = try await Self.run(["resume"], server)
            #expect(run.status == 0 && server.router.controller.state.phase == .ramping)
            run = try await Self.run(["promote"], server)
            #expect(run.status == 0 && server.router.controller.state.percent == 7.5)
            run = try await Self.run(["set-percent", "25", "--reason", "skip ahead"], server)
            #expect(run.status == 0 && server.router.controller.state.percent == 25, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("set-percent: ramping 7.5% → ramping 25% (manualSetPercent): "))
            run = try await Self.run(["rollback", "--reason", "relay errors"], server)
            #expect(run.status == 0 && server.router.controller.state.phase == .rolledBack)

            run = try await Self.run(["events", "--since", "2027-01-15T07:59:00Z"], server)
            #expect(run.status == 0)
            let lines = run.stdout.split(separator: "\n")
            #expect(lines.count == 6)
            #expect(lines.first?.hasPrefix("2027-01-15T08:00:00.000Z  #1  idle 0% → ramping 5% (started)") == true)
            #expect(lines.last?.contains("(manualRollback): ") == true)
        }
    }

    @Test func rollbackSwitchEngagesAndReleasesTheOverrideAndNamesOtherSources() async throws {
        try await LiveServer.with { server in
            let before = server.router.controller.state
            var run = try await Self.run(["rollback-switch", "engage", "--reason", "INC-2231"], server)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stdout
                    == "rollback switch: ENGAGED by override (INC-2231): the relay gets 0% until every source is "
                    + "released; the stored ramp is kept\n")
            #expect(server.router.rollbackSwitch.isEngaged && server.router.effectivePercent == 0)
            #expect(server.router.controller.state == before, "engaging the switch must not move the ramp")

            // Another source holds the switch too: releasing the override says so, and the relay stays at 0%.
            server.router.rollbackSwitch.set(.flagFile, engaged: true, reason: "flag file /tmp/x exists")
            run = try await Self.run(["rollback-switch", "release"], server)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stdout
                    == "rollback switch: override released; still ENGAGED by flagFile (flag file /tmp/x exists): "
                    + "the relay gets 0% until that is released too\n")
            #expect(server.router.effectivePercent == 0)

            server.router.rollbackSwitch.set(.flagFile, engaged: false, reason: "")
            run = try await Self.run(["rollback-switch", "release"], server)
            #expect(run.stdout == "rollback switch: off; the split follows the ramp again (relay 5%)\n")
            #expect(!server.router.rollbackSwitch.isEngaged && server.router.effectivePercent == 5)

            run = try await Self.run(["rollback-switch", "sideways"], server)
            #expect(run.status == 64 && run.stderr.contains("engage"), "\(run.status) \(run.stderr)")
        }
    }

    @Test func aRefusedCommandExitsSevenWithTheServersReason() async throws {
        try await LiveServer.with { server in
            let run = try await Self.run(["resume"], server)
            #expect(run.status == 7)
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr
                    == "error: refused: cannot resume while ramping: only a paused or rolled-back rollout can be resumed\n"
            )
        }
    }

    @Test func aWrongTokenExitsFiveWithoutPrintingIt() async throws {
        try await LiveServer.with { server in
            let run = try await Self.run(["status"], server, token: "wrong-SECRET-value")
            #expect(run.status == 5)
            #expect(run.stderr.hasPrefix("error: the server at \(server.url) refused the admin token (401)."))
        }
    }

    @Test func aMissingTokenExitsFour() async throws {
        try await LiveServer.with { server in
            let run = try await Self.run(["pause"], server, token: nil)
            #expect(run.status == 4)
            #expect(run.stderr.contains("no admin token: pass --token or set SHEPHERD_ADMIN_TOKEN"))
            #expect(server.router.controller.state.phase == .ramping)
        }
    }

    @Test func anUnreachableServerExitsThreeNamingTheURL() async throws {
        // Bound and never listened on: refused, and no other test's server can be given it.
        let refusing = try RefusingPort()
        defer { refusing.close() }
        let url = "http://127.0.0.1:\(refusing.port)"
        let run = try await ProductBinary.runShepherd(
            ["status", "--url", url], environment: ["SHEPHERD_ADMIN_TOKEN": adminToken])
        #expect(run.status == 3)
        #expect(
            run.stderr
                == "error: cannot reach the Shepherd server at \(url) (connection refused). Is `shepherd serve` running there? Point --url or SHEPHERD_URL at its listen address.\n"
        )
    }

    @Test func badArgumentsAreUsageErrors() async throws {
        try await LiveServer.with { server in
            #expect(try await Self.run(["set-percent", "140"], server).status == 64)
            let since = try await Self.run(["events", "--since", "yesterday"], server)
            #expect(since.status == 64)
            #expect(since.stderr.contains("--since: expected Unix seconds"))
        }
    }
}
