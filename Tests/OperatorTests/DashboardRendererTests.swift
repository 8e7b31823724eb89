import Canary
import Operator
import Shepherd
import Testing

struct DashboardRendererTests {
    static let sceneNames = StatusFixtures.scenes.map(\.name)

    static func scene(_ name: String) -> DashboardModel {
        StatusFixtures.scenes.first { $0.name == name }!.model
    }

    static func height(for width: Int) -> Int { width >= 120 ? 40 : 30 }

    static func columns(_ line: String) -> Int {
        // Every character the renderer draws takes one column (no wide characters in the fixtures).
        line.unicodeScalars.count
    }

    @Test(arguments: sceneNames, [80, 120])
    func frameMatchesItsSnapshot(scene name: String, width: Int) {
        let lines = DashboardRenderer.render(
            Self.scene(name), width: width, height: Self.height(for: width), style: .monochrome)
        Snapshot.check(lines, named: "dashboard-\(name)-\(width)")
    }

    @Test(arguments: sceneNames)
    func noLineIsWiderThanTheScreenAndTheFrameFillsItsHeight(scene name: String) {
        for (width, height) in [(40, 12), (60, 20), (80, 24), (80, 30), (100, 40), (120, 40), (200, 60), (20, 5)] {
            for style in [DashboardStyle.monochrome, .color] {
                let lines = DashboardRenderer.render(Self.scene(name), width: width, height: height, style: style)
                #expect(lines.count == height, "\(name) at \(width)x\(height)")
                for line in lines {
                    let text = style == .color ? Self.strip(line) : line
                    #expect(Self.columns(text) <= width, "\(name) at \(width): \(text)")
                }
            }
        }
    }

    @Test(arguments: sceneNames, [80, 120])
    func colorOnlyAddsEscapeCodes(scene name: String, width: Int) {
        let model = Self.scene(name)
        let height = Self.height(for: width)
        let mono = DashboardRenderer.render(model, width: width, height: height, style: .monochrome)
        let color = DashboardRenderer.render(model, width: width, height: height, style: .color)
        #expect(color.map(Self.strip) == mono)
        #expect(color != mono, "the colour frame has no colour")
        #expect(mono.allSatisfy { !$0.contains("\u{1B}") })
    }

    @Test func aMisconfiguredPathIsNamedWithItsCauseAndItsClassInTheErrorMix() {
        let cause =
            "relay path misconfigured: TLS: certificate not trusted (self-signed, expired or from an unknown "
            + "authority: add it with caFile) for relay localhost:18643"
        let model = StatusFixtures.model(
            StatusFixtures.Scene(
                phase: .ramping, step: 2, now: 1_160, stepStartedAt: 1_080, legacy: .init(successes: 900),
                relay: .init(successes: 40, failures: [.tls: 12]), problems: ["relay": cause]))
        let lines = DashboardRenderer.render(model, width: 120, height: 40, style: .monochrome)
        #expect(
            lines.contains { $0.hasPrefix("  ! relay path misconfigured: TLS: certificate not trusted") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  errors") && $0.contains("TLS 12") }, "\(lines)")
        let text = StatusText.render(model.status!, url: StatusFixtures.server)
        #expect(text.contains("configuration problem (relay): \(cause)"))
    }

    @Test func manyModelBreakersShowTheOnesNotClosedFirstThenACount() {
        func breakersRow(_ breakers: [String: String]) -> String? {
            let model = StatusFixtures.model(
                StatusFixtures.Scene(
                    phase: .promoted, step: 8, now: 9_000, stepStartedAt: 8_400, legacy: .init(successes: 0),
                    relay: .init(successes: 500), breakers: breakers))
            return DashboardRenderer.render(model, width: 120, height: 40, style: .monochrome)
                .first { $0.hasPrefix("  breakers") }
        }
        let allClosed = breakersRow([
            "legacy/*": "closed", "relay/*": "closed", "relay/gpt-4.1": "closed", "relay/deepseek-v3.2": "closed",
        ])
        #expect(allClosed?.hasSuffix("all 3 closed") == true, "\(allClosed ?? "no row")")
        let pathOpen = breakersRow(["legacy/*": "closed", "relay/*": "open", "relay/gpt-4.1": "half_open"])
        #expect(pathOpen?.hasSuffix("path open · gpt-4.1 half_open") == true, "\(pathOpen ?? "no row")")
    }

    @Test func rollbackBannerSaysWhichSourceEngagedIt() {
        let lines = DashboardRenderer.render(
            StatusFixtures.rolledBackBySwitch, width: 80, height: 30, style: .monochrome)
        #expect(lines[1].contains("ROLLBACK SWITCH ENGAGED"))
        #expect(lines[2].contains("engaged by flagFile: flag file /var/run/shepherd/rollback exists"))
        let color = DashboardRenderer.render(StatusFixtures.rolledBackBySwitch, width: 80, height: 30, style: .color)
        #expect(color[1].hasPrefix("\u{1B}[1;97;41m"), "the banner is white on red")
    }

    @Test func shortScreensKeepTheKeysAndDropEventsFirst() {
        let model = StatusFixtures.rampingHealthy
        let tall = DashboardRenderer.render(model, width: 80, height: 40, style: .monochrome)
        #expect(tall.contains { $0.contains("EVENTS") } && tall.contains { $0.contains("TRENDS") })
        let short = DashboardRenderer.render(model, width: 80, height: 22, style: .monochrome)
        #expect(short.last?.contains("q quit") == true)
        #expect(!short.contains { $0.contains("EVENTS") })
        #expect(short.contains { $0.contains("RAMPING") })
    }

    @Test func waitingModelSaysWhatItWaitsFor() {
        let lines = DashboardRenderer.render(
            DashboardModel(server: "http://127.0.0.1:8080"), width: 80, height: 10, style: .monochrome)
        #expect(lines.contains { $0.contains("waiting for the first status from http://127.0.0.1:8080") })
        #expect(lines.count == 10)
    }

    @Test func promptReplacesTheMessage() {
        var model = StatusFixtures.rampingHealthy
        model.message = "pause: done"
        model.prompt = DashboardKeys.rollbackQuestion
        let lines = DashboardRenderer.render(model, width: 120, height: 40, style: .monochrome)
        #expect(lines[38].contains("roll back all traffic to legacy? y confirms"))
        #expect(!lines.contains { $0.contains("pause: done") })
    }

    @Test func connectionProblemKeepsTheLastStatusOnScreen() {
        var model = StatusFixtures.rampingHealthy
        model.connectionProblem = "cannot reach http://127.0.0.1:8080 (connection refused); retrying"
        let lines = DashboardRenderer.render(model, width: 120, height: 40, style: .monochrome)
        #expect(lines[1].contains("! cannot reach http://127.0.0.1:8080 (connection refused); retrying"))
        #expect(lines.contains { $0.contains("RAMPING") })
        #expect(PlainStatusLine.render(model).hasPrefix("STALE (cannot reach"))
    }

    // MARK: Plain line and status text

    @Test func plainLinesMatchTheirSnapshot() {
        let lines = StatusFixtures.scenes.map { PlainStatusLine.render($0.model) }
        Snapshot.check(lines, named: "plain-lines")
        #expect(lines.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("\n") })
    }

    @Test func statusTextMatchesItsSnapshot() {
        var lines: [String] = []
        for (name, model) in StatusFixtures.scenes {
            lines.append("== \(name)")
            lines += StatusText.render(model.status!, url: StatusFixtures.server)
        }
        Snapshot.check(lines, named: "status-text")
    }

    @Test func statusTextKeepsItsRunbookWording() {
        let lines = StatusText.render(StatusFixtures.rampingHealthy.status!, url: StatusFixtures.server)
        #expect(lines[1] == "phase: ramping   percent: 11.25% (step 3/9)")
        #expect(lines[2].hasPrefix("verdict: healthy (score "))
        #expect(lines[3].hasPrefix("reason: healthy: all checks pass"))
        #expect(lines.contains("rollback switch: off"))
        #expect(lines.contains("breakers: legacy/* closed   relay/* closed"))
        #expect(
            lines.last
                == "next step: 16.88% needs 100 relay calls (have 45, 55 more) and 2m held (held 1m20s, 40s to go); next check in 12s"
        )
        let rolledBack = StatusText.render(StatusFixtures.rolledBackBySwitch.status!, url: StatusFixtures.server)
        #expect(
            rolledBack.contains("rollback switch: ENGAGED by flagFile (flag file /var/run/shepherd/rollback exists)"))
    }

    // MARK: Helpers

    static func strip(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        var iterator = line.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                guard iterator.next() == "[" else { continue }
                while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {}
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }
}
