import Foundation
import Shepherd
import ShepherdTesting
import Testing

@testable import Canary
@testable import Operator

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `shepherd report`: the report's data from a real SQLite store, its HTML (well-formed, self-contained,
/// one chart per figure with the transitions marked) and Markdown, and the command itself.
struct ReportTests {
    static let generatedAt = WallClock.Instant(unixSeconds: 1_800_003_600)

    /// A state file with the realistic history, and what was committed to it.
    static func storeWithHistory(in directory: ReportTemporaryDirectory) async throws -> (String, ReportHistory) {
        let path = directory.path("state.sqlite")
        let store = try SQLiteRolloutStore(path: path)
        let history = try await ReportHistory.write(to: store)
        try await store.close()
        return (path, history)
    }

    static func load(_ path: String, rollout: String? = nil) async throws -> ReportData {
        try await ReportData.load(storeAt: path, rolloutID: rollout, generatedAt: generatedAt)
    }

    // MARK: The history is the one the report is meant for

    @Test func historyHasStepsUpAnUnhealthyRollbackARestartAndTheSwitch() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (_, history) = try await Self.storeWithHistory(in: directory)
        let kinds = history.events.map(\.reason.kind)
        #expect(kinds.first == .started)
        #expect(kinds.filter { $0 == .stepAdvanced }.count >= 4, "\(history.events.map(\.summary))")
        let rollback = try #require(history.rollback, "\(history.events.map(\.summary))")
        #expect(rollback.reason.kind == .rolledBackOnFailure)
        #expect(rollback.reason.verdict?.code == .successRateBelowBaseline)
        #expect(rollback.fromPercent >= 25)
        #expect(kinds.contains(.manualResume))
        #expect(history.evaluations.filter(\.rollbackEngaged).count == 3)
        #expect(history.evaluations.contains { $0.verdict.kind == .unhealthy })
        #expect(history.events.last?.reason.kind == .promoted)
        #expect(history.finalState.phase == .promoted && history.finalState.percent == 100)
    }

    // MARK: Data

    @Test func dataIsReadFromTheStoreWithTheOnlyRolloutChosen() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        let data = try await Self.load(path)
        #expect(data.rolloutID == ReportHistory.rolloutID)
        #expect(data.source == path)
        #expect(data.state == history.finalState)
        #expect(data.events.map(\.event) == history.events)
        #expect(data.evaluations == history.evaluations)
        #expect(!data.eventsTruncated && !data.evaluationsTruncated)
        // Steps: one per transition; each evaluation after the first transition belongs to exactly one.
        #expect(data.steps.count == history.events.count)
        #expect(data.steps.map(\.evaluations.count).reduce(0, +) == history.evaluations.count)
        #expect(data.steps.allSatisfy { step in step.evaluations.allSatisfy { $0.time >= step.start } })
    }

    @Test func severalRolloutsAreListedWhenNoneIsNamed() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("two.sqlite")
        let store = try SQLiteRolloutStore(path: path)
        for id in ["search-to-relay", "checkout-to-relay"] {
            var ramp = RampController<WallClock.Instant>(policy: RampPolicy())
            let event = try ramp.apply(.start, now: ReportHistory.epoch)
            try await store.commit(RolloutChange(rolloutID: id, state: ramp.state, event: event))
        }
        try await store.close()

        let ambiguous = await #expect(throws: ReportError.self) { try await Self.load(path) }
        #expect(ambiguous?.code == .ambiguousRollout)
        #expect(ambiguous?.message.contains("checkout-to-relay, search-to-relay") == true)
        #expect(ambiguous?.message.contains(path) == true)
        #expect(ambiguous?.message.contains("--rollout") == true)

        let unknown = await #expect(throws: ReportError.self) { try await Self.load(path, rollout: "billing") }
        #expect(unknown?.code == .unknownRollout)
        #expect(unknown?.message.contains("billing") == true)
        #expect(unknown?.message.contains("checkout-to-relay, search-to-relay") == true)

        let chosen = try await Self.load(path, rollout: "search-to-relay")
        #expect(chosen.rolloutID == "search-to-relay" && chosen.events.count == 1)
    }

    @Test func aStoreWithoutRolloutsSaysSo() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("empty.sqlite")
        try await SQLiteRolloutStore(path: path).close()
        let error = await #expect(throws: ReportError.self) { try await Self.load(path) }
        #expect(error?.code == .noRollout)
        #expect(error?.message.contains(path) == true)
    }

    @Test func aMissingStateFileIsNamedAndNotCreated() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("missing.sqlite")
        let error = await #expect(throws: ReportError.self) { try await Self.load(path) }
        #expect(error?.code == .storeMissing)
        #expect(error?.message.contains(path) == true)
        #expect(directory.contents.isEmpty, "created \(directory.contents)")
    }

    @Test func aFileThatIsNotSQLiteIsRefusedAndLeftAlone() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.txt")
        try Data("state: not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: ReportError.self) { try await Self.load(path) }
        #expect(error?.code == .notAStore)
        #expect(error?.message.contains(path) == true)

        let empty = directory.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let emptyError = await #expect(throws: ReportError.self) { try await Self.load(empty) }
        #expect(emptyError?.code == .storeUnreadable)
        #expect(directory.contents == ["empty.sqlite", "notes.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
    }

    // MARK: HTML

    @Test func htmlIsWellFormedXHTMLWithOneSVGPerChartAndEveryTransitionMarked() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        let html = ReportRenderer.html(try await Self.load(path))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\""))

        let xml = ParsedXML(html)
        #expect(xml.error == nil, "not well-formed: \(String(describing: xml.error))")
        let root = try #require(xml.elements.first)
        #expect(root.name == "html" && root.namespace == "http://www.w3.org/1999/xhtml")

        let svgs = xml.elements(named: "svg")
        #expect(
            svgs.map { $0.attributes["id"] ?? "" } == [
                "chart-percent", "chart-success", "chart-latency", "chart-spend", "chart-cost-per-1k",
            ])
        #expect(svgs.allSatisfy { $0.namespace == "http://www.w3.org/2000/svg" && $0.ancestors.last == "figure" })
        // In every chart, one marker per transition, numbered like the table and carrying the store's sequence.
        let markers = xml.elements(named: "g").filter { $0.attributes["class"]?.hasPrefix("event ") == true }
        for svg in svgs {
            let id = svg.attributes["id"]
            let inChart = markers.filter { $0.enclosingSVG == id }
            #expect(
                inChart.map { $0.attributes["data-event"] ?? "" } == (1...history.events.count).map(String.init),
                "\(id ?? "")")
        }
        #expect(markers.count == svgs.count * history.events.count)
        let rollbackNumber = try #require(history.events.firstIndex { $0.to == .rolledBack }) + 1
        let rollbackMarkers = markers.filter { $0.attributes["class"] == "event rollback" }
        #expect(rollbackMarkers.count == svgs.count * history.events.filter { $0.to == .rolledBack }.count)
        #expect(rollbackMarkers.allSatisfy { $0.attributes["data-event"] == "\(rollbackNumber)" })
        // The percent chart draws the stored percentage, and the rollback switch's evaluations are shaded.
        #expect(xml.elements(named: "polyline").contains { $0.ancestors.contains("svg") })
        #expect(xml.elements(named: "rect").contains { $0.attributes["class"] == "band" })
    }

    @Test func htmlShowsTheStoredNumbers() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        let xml = ParsedXML(ReportRenderer.html(try await Self.load(path)))
        #expect(xml.error == nil)

        #expect(xml.textByID["final-percent"] == formatPercent(history.finalState.percent))
        let rollbacks = history.events.filter { $0.to == .rolledBack }.count
        #expect(xml.textByID["transition-count"] == "\(history.events.count) (\(rollbacks) rollback)")

        // One table row per transition, in order, each with its kind; the rollback's reason in full.
        let rows = xml.elements(named: "tr").filter { $0.attributes["class"]?.hasPrefix("transition ") == true }
        #expect(rows.map { $0.attributes["data-kind"] ?? "" } == history.events.map(\.reason.kind.rawValue))
        let rollback = try #require(history.rollback)
        let number = try #require(history.events.firstIndex(of: rollback)) + 1
        let row = try #require(xml.textByID["transition-\(number)"])
        #expect(row.contains(rollback.reason.message))
        #expect(row.contains("rolledBackOnFailure"))
        #expect(row.contains("successRateBelowBaseline"))
        #expect(row.contains("fail successVsBaseline"))
        #expect(xml.textByID["last-rollback"]?.contains(rollback.reason.message) == true)

        // The last window's figures per path, as stored.
        let last = try #require(history.evaluations.last)
        let health = try #require(xml.textByID["health"])
        #expect(health.contains(ReportFormat.rate(last.legacy.successRate)))
        #expect(health.contains(ReportFormat.latency(last.legacy.p95)))
        let spend = try #require(xml.textByID["spend"])
        #expect(spend.contains(ReportFormat.dollars(last.legacy.cost)))
        #expect(
            spend.contains(
                ReportFormat.dollars(
                    last.legacy.requests == 0 ? nil : last.legacy.cost / Double(last.legacy.requests) * 1000)))
        #expect(spend.contains("spent in each evaluation"))  // the chart is labelled as window spend, not a total
        let finalState = try #require(xml.textByID["final-state"])
        #expect(finalState.contains(history.finalState.phase.rawValue))
        #expect(xml.text.contains("Generated 2027-01-15 09:00:00Z"))
    }

    @Test func htmlRefersToNothingOutsideItself() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, _) = try await Self.storeWithHistory(in: directory)
        let html = ReportRenderer.html(try await Self.load(path))
        let lower = html.lowercased()
        for forbidden in [
            "<script", "url(", "@import", "src=", "<link", "<img", "<iframe", "<object", "<embed", "<use", "<image",
            "xlink:",
        ] {
            #expect(!lower.contains(forbidden), "found \(forbidden)")
        }
        // Links stay inside the document.
        let xml = ParsedXML(html)
        let hrefs = xml.elements.compactMap { $0.attributes["href"] }
        #expect(!hrefs.isEmpty && hrefs.allSatisfy { $0.hasPrefix("#") }, "\(hrefs)")
        // The only http strings are the two namespace names.
        var rest = lower[...]
        var found: [String] = []
        while let range = rest.range(of: "http") {
            found.append(String(rest[range.lowerBound...].prefix { !"\"' <>".contains($0) }))
            rest = rest[range.upperBound...]
        }
        #expect(Set(found).isSubset(of: ["http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg"]), "\(found)")
        #expect(!lower.contains("//cdn") && !lower.contains("https:"))
    }

    /// The report shows the shadow comparison an evaluation judged and each bake with its end.
    @Test func theShadowComparisonAndTheBakeAreReported() throws {
        var policy = RampPolicy(
            initialPercent: 50, stepFactor: 2, minHoldTime: .zero, minSamplesPerStep: 0,
            bake: .init(holdback: 1, duration: .seconds(60)), startsWithShadow: true)
        policy.maxFailedChecks = 3
        var ramp = RampController<WallClock.Instant>(policy: policy)
        let t0 = ReportHistory.epoch
        var events = [try ramp.apply(.start, now: t0)]
        let shadow = ShadowVerdict(
            passed: false, summary: "agreement 0.31 below 0.9", pairs: 212, agreeing: 66, agreementLower: 0.25,
            agreementUpper: 0.38,
            worst: [.init(check: .text, count: 146, exampleRequestID: "req-42", exampleTexts: nil)],
            spendLastHour: 0.12, pausedForSpend: false, health: nil)
        let passed = ShadowVerdict(
            passed: true, summary: "212 pairs agree", pairs: 212, agreeing: 212, agreementLower: 0.98,
            agreementUpper: 1,
            worst: [], spendLastHour: 0.12, pausedForSpend: false, health: nil)
        events.append(
            try #require(ramp.evaluateShadow(now: t0.advanced(by: .seconds(30)), verdict: passed, frozen: false).event))
        events.append(
            try #require(
                ramp.evaluate(
                    now: t0.advanced(by: .seconds(60)), verdict: .healthyFixture, relaySamplesInStep: 0, frozen: false
                ).event))
        events.append(
            try #require(
                ramp.evaluate(
                    now: t0.advanced(by: .seconds(200)), verdict: .healthyFixture, relaySamplesInStep: 0, frozen: false
                ).event))
        var record = EvaluationRecord(
            time: t0.advanced(by: .seconds(20)), phase: .shadowing, percent: 0, rollbackEngaged: false,
            verdict: .healthyFixture, decision: "hold:shadowing", legacy: PathSummary(PathSnapshot()),
            relay: PathSummary(PathSnapshot()))
        record.shadow = shadow
        let data = ReportData(
            rolloutID: "guarded", source: "state.sqlite", generatedAt: Self.generatedAt, state: ramp.state,
            events: events.enumerated().map {
                StoredEvent(sequence: Int64($0.offset + 1), rolloutID: "guarded", event: $0.element)
            },
            evaluations: [record])
        let markdown = ReportRenderer.markdown(data)
        #expect(markdown.contains("## Shadow comparison and bake"))
        #expect(
            markdown.contains(
                #"212 pairs compared, 66 agree (0.311, interval \[0.250, 0.380\]); holding: agreement 0.31 below 0.9"#))
        #expect(markdown.contains("| text") && markdown.contains("req-42"))
        #expect(
            markdown.contains("Bake from") && markdown.contains("at 99%") && markdown.contains("promoted (promoted)"),
            "\(markdown)")
        let xml = ParsedXML(ReportRenderer.html(data))
        #expect(xml.error == nil)
        #expect(xml.text.contains("Shadow comparison and bake") && xml.text.contains("req-42"))
    }

    @Test func storedTextCannotBreakTheDocument() async throws {
        var ramp = RampController<WallClock.Instant>(policy: RampPolicy())
        let nasty = "</td><script>alert(1)</script> & \"quotes\" 'single' | *bold* [link](http://x) \u{1}\u{7}bell ]]>"
        let event = try ramp.apply(.start, now: ReportHistory.epoch, reason: nasty)
        let data = ReportData(
            rolloutID: "a<b>&c", source: "/tmp/x&y.sqlite", generatedAt: Self.generatedAt, state: ramp.state,
            events: [StoredEvent(sequence: 1, rolloutID: "a<b>&c", event: event)], evaluations: [])
        let html = ReportRenderer.html(data)
        let xml = ParsedXML(html)
        #expect(xml.error == nil, "\(String(describing: xml.error))")
        #expect(!html.contains("<script"))
        #expect(xml.textByID["transition-1"]?.contains("</td><script>alert(1)</script> & \"quotes\" 'single'") == true)
        #expect(xml.elements(named: "svg").count == 5)

        let markdown = ReportRenderer.markdown(data)
        // Every `<` is escaped, so no renderer takes it for HTML.
        let characters = Array(markdown)
        #expect(characters.indices.allSatisfy { characters[$0] != "<" || ($0 > 0 && characters[$0 - 1] == "\\") })
        #expect(!markdown.contains("\u{1}"))
        let row = try #require(
            markdown.split(separator: "\n").first { $0.hasPrefix("| 1 |") && $0.contains("| operator |") })
        // The message's pipe does not open a new cell: 8 columns, 9 unescaped bars.
        let bars = row.enumerated().filter { index, character in
            character == "|" && (index == 0 || Array(row)[index - 1] != "\\")
        }
        #expect(bars.count == 9, "\(row)")
        #expect(unescapeMarkdown(String(row)).contains("*bold* [link](http://x)"))
    }

    @Test func anEmptyRolloutStillRendersEveryChart() throws {
        let data = ReportData(
            rolloutID: "idle", source: "state.sqlite", generatedAt: Self.generatedAt,
            state: .idle, events: [], evaluations: [])
        let xml = ParsedXML(ReportRenderer.html(data))
        #expect(xml.error == nil)
        #expect(xml.text.contains("No transition is stored for this rollout."))
        let markdown = ReportRenderer.markdown(data)
        #expect(markdown.contains("| Transitions | 0 (0 rollbacks) |"))
    }

    @Test func renderingIsDeterministic() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, _) = try await Self.storeWithHistory(in: directory)
        let first = try await Self.load(path)
        let second = try await Self.load(path)
        #expect(ReportRenderer.html(first) == ReportRenderer.html(second))
        #expect(ReportRenderer.markdown(first) == ReportRenderer.markdown(second))
    }

    @Test func aLongHistoryIsThinnedPerPixelColumnKeepingItsSpikes() {
        var points: [(x: Double, y: Double?)] = (0..<20_000).map { (Double($0) * 30, 0.99) }
        points[12_345].y = 0.5
        var chart = TimeChart(
            id: "t", title: "t", yLabel: "rate", xRange: 0...(19_999 * 30), y: .fromData(ceiling: 1),
            format: { ReportFormat.fixed($0, 2) })
        chart.series = [.init(name: "relay", color: "#000000", points: points)]
        let svg = chart.svg().output
        let xml = ParsedXML(svg)
        #expect(xml.error == nil)
        let polyline = try? #require(xml.elements(named: "polyline").first?.attributes["points"])
        let count = polyline?.split(separator: " ").count ?? 0
        #expect(count > 100 && count <= 4 * 800, "\(count) points")
        // The dip to 50% survives thinning: the line reaches the bottom of the plot (y = 230).
        #expect(xml.text.contains("0.50"))
        #expect(polyline?.contains(",230.0") == true)
    }

    // MARK: Markdown

    @Test func markdownHasTheSameFacts() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        let markdown = ReportRenderer.markdown(try await Self.load(path))
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        #expect(lines.first == "# Rollout report: checkout-to-relay")
        #expect(lines.contains("| Final percent | \(formatPercent(history.finalState.percent)) |"))
        #expect(lines.contains("| Transitions | \(history.events.count) (1 rollback) |"))
        #expect(lines.contains("| Phase | \(history.finalState.phase.rawValue) |"))
        let rollback = try #require(history.rollback)
        #expect(unescapeMarkdown(markdown).contains(rollback.reason.message))

        // The transitions table: one row per transition, in order.
        let rows = lines.filter { line in
            guard line.hasPrefix("| "), let number = Int(line.dropFirst(2).prefix { $0.isNumber }) else { return false }
            return line.contains(" | scorer | ") || line.contains(" | operator | ") ? number > 0 : false
        }
        #expect(rows.count == history.events.count)
        #expect(zip(rows, history.events).allSatisfy { row, event in row.contains(event.reason.kind.rawValue) })
        // The timeline drawn as text: one bar per transition.
        let bars = lines.filter { $0.contains("█") || $0.contains("·····") }
        #expect(bars.count == history.events.count)
        // Same last-window figures as the HTML.
        let last = try #require(history.evaluations.last)
        #expect(markdown.contains(ReportFormat.rate(last.relay.successRate)))
        #expect(markdown.contains(ReportFormat.dollars(last.legacy.cost)))
        #expect(!markdown.contains("<svg") && !markdown.contains("<script"))
    }

    // MARK: The state file default

    @Test(
        arguments: [
            ("listen: 127.0.0.1:8080\nstate: shepherd.sqlite            # rollout state\n", "shepherd.sqlite"),
            ("state: \"/var/lib/shepherd/state db.sqlite\"  # quoted\n", "/var/lib/shepherd/state db.sqlite"),
            ("state: '/srv/a#b.sqlite'\n", "/srv/a#b.sqlite"),
            ("server:\n  state: nested.sqlite\nstate: top.sqlite\r\n", "top.sqlite"),
            ("listen: 127.0.0.1:8080\n", nil),
            ("state:   # none\n", nil),
        ] as [(String, String?)])
    func stateFileComesFromTheTopLevelStateKey(text: String, expected: String?) {
        #expect(ReportStateFile.path(inConfiguration: text) == expected)
    }

    @Test func theDocumentedExampleConfigurationNamesItsStateFile() throws {
        // shepherd.example.yaml at the package root is what an operator copies to shepherd.yaml.
        let text = try String(contentsOfFile: Repository.path("shepherd.example.yaml"), encoding: .utf8)
        #expect(ReportStateFile.path(inConfiguration: text) == "shepherd.sqlite")
    }

    // MARK: The command

    @Test func theCommandWritesTheHTMLReportAndExitsZero() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        let out = directory.path("rollout.html")

        let run = try await ProductBinary.runShepherd(
            ["report", "--state", path, "--format", "html", "--out", out], in: directory.url.path)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains(out))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let xml = ParsedXML(html)
        #expect(xml.error == nil)
        #expect(xml.elements(named: "svg").count == 5)
        #expect(xml.textByID["transition-count"]?.hasPrefix("\(history.events.count) ") == true)
        #expect(xml.textByID["final-percent"] == formatPercent(history.finalState.percent))

        let markdown = try await ProductBinary.runShepherd(
            ["report", "--state", path, "--format", "md"], in: directory.url.path)
        #expect(markdown.status == 0, "stderr: \(markdown.stderr)")
        #expect(markdown.stdout.hasPrefix("# Rollout report: \(ReportHistory.rolloutID)\n"))
        #expect(markdown.stdout.contains("| Transitions | \(history.events.count) (1 rollback) |"))
    }

    @Test func theCommandNamesAMissingStateFileExitsNonZeroAndCreatesNothing() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("nowhere.sqlite")
        let out = directory.path("report.html")

        let run = try await ProductBinary.runShepherd(
            ["report", "--state", missing, "--out", out], in: directory.url.path)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: state file \(missing) does not exist"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(directory.contents.isEmpty, "created \(directory.contents)")

        // Without --state, in a directory with no shepherd.yaml: serve's default, shepherd.sqlite, not created either.
        let fallback = try await ProductBinary.runShepherd(["report", "--format", "md"], in: directory.url.path)
        #expect(fallback.status == 2)
        #expect(fallback.stderr.contains("state file shepherd.sqlite does not exist"), "\(fallback.stderr)")
        #expect(directory.contents.isEmpty, "created \(directory.contents)")
    }

    @Test func theCommandTakesTheStateFileFromTheServeConfiguration() async throws {
        let directory = try ReportTemporaryDirectory()
        defer { directory.remove() }
        let (path, history) = try await Self.storeWithHistory(in: directory)
        try Data("listen: 127.0.0.1:8080\nstate: \(path)   # where serve keeps it\n".utf8)
            .write(to: directory.url.appendingPathComponent("shepherd.yaml"))

        let run = try await ProductBinary.runShepherd(["report", "--format", "md"], in: directory.url.path)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("| Transitions | \(history.events.count) (1 rollback) |"))

        let unknown = try await ProductBinary.runShepherd(["report", "--rollout", "billing"], in: directory.url.path)
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains("has no rollout billing; it holds only: \(ReportHistory.rolloutID)"),
            "\(unknown.stderr)")
    }
}

extension HealthVerdict {
    /// A healthy verdict with nothing judged, for reports built by hand.
    fileprivate static let healthyFixture = HealthVerdict(
        kind: .healthy, score: 1,
        reason: HealthReason(
            code: .healthy, samples: .init(legacy: 200, relay: 200, legacySuccessRate: 1, relaySuccessRate: 1),
            confidence: 0.95, checks: []))
}
