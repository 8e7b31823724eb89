/// The dashboard's keys as a plain state machine: bytes in, actions out. No I/O.
///
/// | key | action |
/// | --- | --- |
/// | `p` | pause |
/// | `r` | resume |
/// | `+` (or `=`) | promote one step |
/// | `b` | roll back, after `y` to confirm (any other key cancels) |
/// | `q`, Ctrl-C, Ctrl-D | quit |
///
/// Escape sequences (arrow keys, function keys) are skipped whole, so that their bytes are never
/// taken for commands.
public struct DashboardKeys: Sendable, Hashable {
    /// What a key asks for.
    public enum Action: Sendable, Hashable {
        /// Nothing to do.
        case none
        /// Leave the dashboard.
        case quit
        /// Send a command to the server.
        case command(AdminCommand)
        /// Ask the operator a yes/no question (shown on the message line).
        case ask(String)
        /// The question was answered no.
        case cancelled(String)
    }

    /// Whether a rollback waits for `y`.
    public private(set) var confirmingRollback = false
    private var escape: EscapeState = .none

    private enum EscapeState: Sendable, Hashable {
        case none, started, sequence
    }

    /// The rollback question.
    public static let rollbackQuestion = "roll back all traffic to legacy? y confirms, any other key cancels"

    /// Creates the state machine, waiting for a key.
    public init() {}

    /// Handles one byte read from the terminal.
    public mutating func handle(_ byte: UInt8) -> Action {
        switch escape {
        case .started:
            // ESC [ … or ESC O x: a sequence follows; anything else was a lone ESC and a key.
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O") {
                escape = .sequence
                return .none
            }
            escape = .none
        case .sequence:
            if (0x40...0x7E).contains(byte) { escape = .none }
            return .none
        case .none:
            break
        }
        if byte == 0x1B {
            escape = .started
            if confirmingRollback {
                confirmingRollback = false
                return .cancelled("rollback cancelled")
            }
            return .none
        }
        if byte == 0x03 || byte == 0x04 { return .quit }  // Ctrl-C, Ctrl-D
        if confirmingRollback {
            confirmingRollback = false
            return byte == UInt8(ascii: "y") || byte == UInt8(ascii: "Y")
                ? .command(.rollback) : .cancelled("rollback cancelled")
        }
        switch byte {
        case UInt8(ascii: "q"), UInt8(ascii: "Q"): return .quit
        case UInt8(ascii: "p"): return .command(.pause)
        case UInt8(ascii: "r"): return .command(.resume)
        case UInt8(ascii: "+"), UInt8(ascii: "="): return .command(.promote)
        case UInt8(ascii: "b"):
            confirmingRollback = true
            return .ask(Self.rollbackQuestion)
        default: return .none
        }
    }
}
