import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's terminal, for a full-screen view: raw keys, the alternate screen, its size.
///
/// ``enterFullScreen()`` saves the terminal's settings, turns off line buffering and echo (raw
/// mode: Ctrl-C arrives as a key instead of a signal), switches to the alternate screen and
/// hides the cursor; ``restore()`` undoes all of it and may be called any number of times. The
/// caller must call ``restore()`` on every way out (``DashboardSession`` does, on quit, on
/// cancellation and on SIGTERM).
///
/// ```swift
/// let terminal = Terminal()
/// try terminal.enterFullScreen()
/// defer { terminal.restore() }
/// let (columns, rows) = terminal.size() ?? (80, 24)
/// terminal.draw(["hello"], height: rows, clear: true)
/// ```
public final class Terminal: Sendable {
    /// The file descriptor keys are read from (standard input by default).
    public let input: Int32
    /// The file descriptor the screen is written to (standard output by default).
    public let output: Int32
    /// The settings before ``enterFullScreen()``, while in full screen.
    private let saved = Mutex<termios?>(nil)

    /// A terminal on the given file descriptors.
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
    }

    /// Whether `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Whether both descriptors are terminals (what full-screen mode needs).
    public var isInteractive: Bool { Self.isTerminal(input) && Self.isTerminal(output) }

    /// The size in character cells, read now (`TIOCGWINSZ`), or `nil` when it cannot be read.
    public func size() -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// A terminal that could not be set up.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        /// What failed, with `errno`'s text.
        public var description: String
    }

    /// Raw mode, alternate screen, hidden cursor.
    ///
    /// - Throws: ``SetupError`` when the input is not a terminal or its settings cannot be changed.
    public func enterFullScreen() throws {
        var original = termios()
        guard tcgetattr(input, &original) == 0 else {
            throw SetupError(description: "cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        var raw = original
        // Like cfmakeraw, but output post-processing stays on so that "\n" still returns the carriage.
        raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        raw.c_cflag &= ~tcflag_t(CSIZE | PARENB)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            throw SetupError(description: "cannot set the terminal to raw mode: \(String(cString: strerror(errno)))")
        }
        saved.withLock { $0 = original }
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[0m\u{1B}[2J\u{1B}[H")
    }

    /// Back to how the terminal was: main screen, visible cursor, the saved settings. Idempotent.
    public func restore() {
        let original = saved.withLock { value -> termios? in
            defer { value = nil }
            return value
        }
        guard var original else { return }
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        _ = tcsetattr(input, TCSAFLUSH, &original)
    }

    /// Draws a frame: each line on its own row from the top, each row erased first.
    ///
    /// Rows are erased before they are written (not after) so that a line that fills the last
    /// column is never cut by the terminal's pending wrap.
    ///
    /// - Parameters:
    ///   - lines: at most `height` lines, each no wider than the screen.
    ///   - height: the screen's rows; rows below the lines are erased.
    ///   - clear: erase the whole screen first (after a resize).
    public func draw(_ lines: [String], height: Int, clear: Bool) {
        var frame = clear ? "\u{1B}[0m\u{1B}[2J" : ""
        for row in 0..<max(height, lines.count) {
            frame += "\u{1B}[\(row + 1);1H\u{1B}[0m\u{1B}[2K"
            if row < lines.count { frame += lines[row] }
        }
        frame += "\u{1B}[0m"
        write(frame)
    }

    /// Writes text as it is, all of it (retrying short writes and interruptions).
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Self.systemWrite(output, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += written
        }
    }

    /// Reads what is available on the input (at most 64 bytes): `nil` at the end of the input,
    /// empty when interrupted.
    func readAvailable() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { Self.systemRead(input, $0.baseAddress!, $0.count) }
        if count > 0 { return Array(buffer.prefix(count)) }
        if count < 0, errno == EINTR || errno == EAGAIN { return [] }
        return nil
    }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(fd, buffer, count)
        #elseif canImport(Musl)
            Musl.write(fd, buffer, count)
        #else
            Darwin.write(fd, buffer, count)
        #endif
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(fd, buffer, count)
        #elseif canImport(Musl)
            Musl.read(fd, buffer, count)
        #else
            Darwin.read(fd, buffer, count)
        #endif
    }
}
