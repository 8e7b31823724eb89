import Canary
import Operator
import Shepherd
import Testing

struct DashboardKeysTests {
    static func press(_ keys: String, _ machine: inout DashboardKeys) -> [DashboardKeys.Action] {
        keys.utf8.map { machine.handle($0) }.filter { $0 != .none }
    }

    @Test func lettersMapToCommands() {
        var keys = DashboardKeys()
        #expect(Self.press("p", &keys) == [.command(.pause)])
        #expect(Self.press("r", &keys) == [.command(.resume)])
        #expect(Self.press("+", &keys) == [.command(.promote)])
        #expect(Self.press("=", &keys) == [.command(.promote)])
        #expect(Self.press("x", &keys) == [])
        #expect(Self.press("q", &keys) == [.quit])
    }

    @Test func rollbackAsksFirstAndOnlyYConfirms() {
        var keys = DashboardKeys()
        #expect(Self.press("b", &keys) == [.ask(DashboardKeys.rollbackQuestion)])
        #expect(keys.confirmingRollback)
        #expect(Self.press("y", &keys) == [.command(.rollback)])
        #expect(!keys.confirmingRollback)
        #expect(Self.press("bn", &keys) == [.ask(DashboardKeys.rollbackQuestion), .cancelled("rollback cancelled")])
        // q while asked cancels the rollback; it does not quit.
        #expect(Self.press("bq", &keys) == [.ask(DashboardKeys.rollbackQuestion), .cancelled("rollback cancelled")])
        #expect(Self.press("bY", &keys) == [.ask(DashboardKeys.rollbackQuestion), .command(.rollback)])
    }

    @Test func controlCAndControlDQuitEvenWhileAsking() {
        var keys = DashboardKeys()
        #expect(keys.handle(0x03) == .quit)
        _ = keys.handle(UInt8(ascii: "b"))
        #expect(keys.handle(0x04) == .quit)
    }

    @Test func escapeSequencesAreSkippedWhole() {
        var keys = DashboardKeys()
        // Up arrow, F1 (ESC O P), Page Up (ESC [ 5 ~), then a real p.
        #expect(Self.press("\u{1B}[A\u{1B}OP\u{1B}[5~p", &keys) == [.command(.pause)])
        // A lone escape cancels a pending rollback.
        _ = keys.handle(UInt8(ascii: "b"))
        #expect(keys.handle(0x1B) == .cancelled("rollback cancelled"))
        #expect(Self.press("r", &keys) == [.command(.resume)])
    }
}

struct TimeArgumentTests {
    static let now = WallClock.Instant(unixSeconds: 1_800_000_000)

    @Test(arguments: [
        ("1799990000", 1_799_990_000.0), ("1799990000.5", 1_799_990_000.5), ("2027-01-15T07:00:00Z", 1_799_996_400),
        ("2027-01-15T07:00:00.250Z", 1_799_996_400.25), ("90s", 1_799_999_910), ("10m", 1_799_999_400),
        ("2h", 1_799_992_800), ("1d", 1_799_913_600), ("10m ago", 1_799_999_400), ("1.5h", 1_799_994_600),
    ])
    func acceptedForms(text: String, seconds: Double) {
        #expect(TimeArgument.parse(text, now: Self.now)?.unixSeconds == seconds)
    }

    @Test(arguments: ["", "yesterday", "10x", "-5", "2027-01-15 07:00:00", "m", "1e9"])
    func rejectedForms(text: String) {
        #expect(TimeArgument.parse(text, now: Self.now) == nil)
    }
}
