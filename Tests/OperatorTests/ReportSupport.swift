import Canary
import Foundation
import Shepherd
import Synchronization

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A fresh directory for one report test, removed by ``remove()``.
struct ReportTemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names in the directory, sorted.
    var contents: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A realistic rollout history, made by the real health window, scorer and ramp controller on a
/// manual clock and committed the way `MigrationRouter` commits (one change per evaluation, with
/// the evaluation's record): started by an operator, four automatic steps up, a relay outage at
/// 25% rolled back by an unhealthy verdict, an operator's restart, the rollback switch engaged for
/// three evaluations, and the ramp climbing again to promotion at 100%, where legacy's window
/// drains and the scorer holds on insufficient data.
struct ReportHistory {
    static let rolloutID = "checkout-to-relay"
    /// 2027-01-15T08:00:00Z.
    static let epoch = WallClock.Instant(unixSeconds: 1_800_000_000)
    static let requestsPerSecond = 100
    static let evaluationCount = 44

    var events: [RampEvent<WallClock.Instant>] = []
    var evaluations: [EvaluationRecord] = []
    var finalState = RampState<WallClock.Instant>.idle

    var rollback: RampEvent<WallClock.Instant>? { events.first { $0.to == .rolledBack } }

    /// Writes the history into `store` and returns what was committed.
    static func write(to store: some RolloutStore) async throws -> ReportHistory {
        var history = ReportHistory()
        let clock = ManualClock()
        let window = HealthWindow(configuration: .init(bucketCount: 12, bucketWidth: .seconds(10)), clock: clock)
        let scorer = HealthScorer(configuration: .init(minSamples: 100))
        var ramp = RampController<WallClock.Instant>(
            policy: RampPolicy(minHoldTime: .seconds(60), minSamplesPerStep: 50, onFailure: .rollback))
        func wallNow() -> WallClock.Instant { epoch.advanced(by: clock.now.offset) }
        func commit(_ event: RampEvent<WallClock.Instant>?, _ evaluation: EvaluationRecord?) async throws {
            try await store.commit(
                RolloutChange(rolloutID: rolloutID, state: ramp.state, event: event, evaluation: evaluation))
            if let event { history.events.append(event) }
            if let evaluation { history.evaluations.append(evaluation) }
        }

        var stepStart = clock.now
        try await commit(try ramp.apply(.start, now: wallNow(), reason: "change CHG-1042 approved"), nil)
        var credit = 0.0
        var legacyCall = 0
        var relayCall = 0
        var outage = false
        var rolledBackAt: Int?
        var switchEngaged = false
        for evaluation in 1...evaluationCount {
            for _ in 0..<30 {
                clock.advance(by: .seconds(1))
                let percent = switchEngaged ? 0 : ramp.state.effectivePercent
                credit += Double(requestsPerSecond) * percent / 100
                let relayCalls = Int(credit)
                credit -= Double(relayCalls)
                for _ in 0..<(requestsPerSecond - relayCalls) {
                    legacyCall += 1
                    window.record(legacyOutcome(legacyCall), on: .legacy)
                }
                for _ in 0..<relayCalls {
                    relayCall += 1
                    window.record(relayOutcome(relayCall, outage: outage), on: .relay)
                }
            }
            // The operator's side of the story.
            if let rolledBackAt, evaluation == rolledBackAt + 4, ramp.state.phase == .rolledBack {
                stepStart = clock.now
                try await commit(
                    try ramp.apply(.resume, now: wallNow(), reason: "relay fixed its upstream pool (INC-7731)"), nil)
            }
            if let rolledBackAt { switchEngaged = (rolledBackAt + 6...rolledBackAt + 8).contains(evaluation) }

            let snapshot = window.snapshot()
            let verdict = scorer.evaluate(snapshot)
            let now = wallNow()
            let inStep = window.judgedCount(of: .relay, since: stepStart)
            let decision = ramp.evaluate(now: now, verdict: verdict, relaySamplesInStep: inStep, frozen: switchEngaged)
            let record = EvaluationRecord(
                time: now, phase: ramp.state.phase, percent: ramp.state.percent, rollbackEngaged: switchEngaged,
                verdict: verdict,
                decision: decision.event != nil ? "transition" : "hold:\(decision.hold?.code ?? "")",
                legacy: PathSummary(snapshot.legacy), relay: PathSummary(snapshot.relay))
            try await commit(decision.event, record)
            if let event = decision.event {
                stepStart = clock.now
                if event.to == .rolledBack {
                    outage = false
                    rolledBackAt = evaluation
                }
            }
            // The relay's upstream pool fails once a quarter of the traffic reaches it.
            if rolledBackAt == nil, ramp.state.percent >= 25 { outage = true }
        }
        history.finalState = ramp.state
        return history
    }

    /// Legacy: 1% server errors, 600–900 ms, Anthropic-priced.
    private static func legacyOutcome(_ call: Int) -> CallOutcome {
        if call % 100 == 3 { return CallOutcome(.failure(.serverError), latency: .milliseconds(120)) }
        return CallOutcome(
            .success, latency: .milliseconds(600 + (call * 37) % 300),
            timeToFirstToken: call % 4 == 0 ? .milliseconds(210 + call % 90) : nil, inputTokens: 800,
            outputTokens: 150, cost: 0.0009)
    }

    /// Relay: 0.5% failures and 480–800 ms when healthy; 60% fast 503s during the outage.
    private static func relayOutcome(_ call: Int, outage: Bool) -> CallOutcome {
        if outage, call % 5 < 3 { return CallOutcome(.failure(.serverError), latency: .milliseconds(40)) }
        if call % 200 == 7 { return CallOutcome(.failure(.timeout), latency: .seconds(30)) }
        return CallOutcome(
            .success, latency: .milliseconds(480 + (call * 53) % 320),
            timeToFirstToken: call % 4 == 0 ? .milliseconds(180 + call % 70) : nil, inputTokens: 800,
            outputTokens: 150, cost: 0.00042)
    }
}

/// An XML document's facts, as Foundation's `XMLParser` (libxml2) read them with namespaces on.
final class ParsedXML: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var namespace: String?
        var attributes: [String: String]
        /// Names of the enclosing elements, outermost first.
        var ancestors: [String]
        /// The `id` of the `<svg>` the element is in, if any.
        var enclosingSVG: String?
    }

    private(set) var elements: [Element] = []
    private(set) var text = ""
    private(set) var error: (any Error)?
    private var stack: [String] = []
    /// The text of each element with an `id`, collected as it is read.
    private(set) var textByID: [String: String] = [:]
    private var openIDs: [(id: String, depth: Int, isSVG: Bool)] = []

    /// Parses `document`; `error` is set when it is not well-formed.
    init(_ document: String) {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        if !parser.parse() {
            error = parser.parserError ?? NSError(domain: "ParsedXML", code: 1)
        }
    }

    func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let svg = openIDs.last { $0.isSVG }?.id
        elements.append(
            Element(
                name: elementName, namespace: namespaceURI, attributes: attributes, ancestors: stack, enclosingSVG: svg)
        )
        stack.append(elementName)
        if let id = attributes["id"] { openIDs.append((id, stack.count, elementName == "svg")) }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        if let last = openIDs.last, last.depth == stack.count { openIDs.removeLast() }
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
        for open in openIDs { textByID[open.id, default: ""] += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        error = parseError
    }
}

/// Removes CommonMark backslash escapes, as a Markdown renderer would.
func unescapeMarkdown(_ text: String) -> String {
    var result = ""
    var escaped = false
    for character in text {
        if !escaped, character == "\\" {
            escaped = true
            continue
        }
        if escaped, !(character.isASCII && character.isPunctuation || character.isASCII && character.isSymbol) {
            result.append("\\")
        }
        escaped = false
        result.append(character)
    }
    return result
}
