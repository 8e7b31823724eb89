import Dispatch
import Shepherd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a ``DashboardSession`` ended.
public enum DashboardExit: Sendable, Hashable {
    /// The operator pressed `q` (or Ctrl-C / Ctrl-D in full screen).
    case quit
    /// The task running the session was cancelled.
    case cancelled
    /// SIGINT, SIGTERM or SIGHUP arrived (only when the session handles signals).
    case signal(Int32)
}

/// The live dashboard: refreshes from a source every interval, draws, and acts on keys.
///
/// In **full screen** (a terminal on both standard input and output) it takes the terminal
/// (raw mode, alternate screen), redraws after every refresh, key and resize, and restores the
/// terminal on every way out: `q`, Ctrl-C, cancellation of the task, SIGTERM. In **plain** mode
/// (standard output is not a terminal, or asked for) it writes one ``PlainStatusLine`` per
/// refresh to an output sink and reads no keys.
///
/// Refreshes are scheduled on the injected clock, so a test or a demo in virtual time drives
/// them; network calls and commands run in child tasks, so a slow server never freezes the keys.
///
/// ```swift
/// let admin = AdminClient(url: "http://127.0.0.1:8080", token: token)
/// let session = DashboardSession(source: admin, configuration: .init(interval: .seconds(2)))
/// let exit = try await session.run()      // returns on q, on cancellation, or on SIGTERM
/// try await admin.shutdown()
/// ```
///
/// Embedding (the `shepherd demo`): run it in a child task and cancel that task to stop it;
/// the terminal is restored before `run()` returns. Pass `handlesSignals: false` when the host
/// handles SIGINT/SIGTERM itself (it then cancels the session).
public struct DashboardSession<C: Clock>: Sendable where C.Duration == Duration {
    /// How the session draws and how often it refreshes.
    public struct Configuration: Sendable {
        /// Full screen or one line per refresh.
        public enum Display: Sendable, Hashable {
            /// Full screen when standard input and output are terminals, plain otherwise.
            case automatic
            /// Full screen; ``DashboardSession/run()`` throws when there is no terminal.
            case fullScreen
            /// One line per refresh to ``Configuration/plainOutput``, no keys.
            case plain
        }

        /// Time between refreshes. Default 2 s.
        public var interval: Duration
        /// Full screen, plain, or chosen by the terminal. Default ``Display/automatic``.
        public var display: Display
        /// Colours; `nil` chooses from the environment (`NO_COLOR`, `TERM=dumb`). Default `nil`.
        public var style: DashboardStyle?
        /// Whether the session ends on SIGINT, SIGTERM and SIGHUP itself (restoring the terminal).
        /// Turn it off when the host handles them and cancels the session. Default `true`.
        public var handlesSignals: Bool
        /// Evaluations read for the sparklines. Default 120.
        public var historyLimit: Int
        /// Events read for the events list. Default 20.
        public var eventLimit: Int
        /// The reason recorded in the audit log with a command sent from a key.
        public var commandReason: String
        /// Where plain lines go. Default: standard output, one write per line (no buffering).
        public var plainOutput: @Sendable (String) -> Void

        /// Creates a configuration.
        public init(
            interval: Duration = .seconds(2), display: Display = .automatic, style: DashboardStyle? = nil,
            handlesSignals: Bool = true, historyLimit: Int = 120, eventLimit: Int = 20,
            commandReason: String = "shepherd dashboard",
            plainOutput: @escaping @Sendable (String) -> Void = { Terminal().write($0 + "\n") }
        ) {
            self.interval = interval
            self.display = display
            self.style = style
            self.handlesSignals = handlesSignals
            self.historyLimit = historyLimit
            self.eventLimit = eventLimit
            self.commandReason = commandReason
            self.plainOutput = plainOutput
        }
    }

    /// Where the data come from.
    public let source: any DashboardDataSource
    /// How the session draws.
    public let configuration: Configuration
    /// What schedules the refreshes.
    public let clock: C
    /// The terminal drawn on in full screen.
    public let terminal: Terminal

    /// Creates a session; nothing happens until ``run()``.
    public init(
        source: any DashboardDataSource, configuration: Configuration = .init(), clock: C,
        terminal: Terminal = Terminal()
    ) {
        self.source = source
        self.configuration = configuration
        self.clock = clock
        self.terminal = terminal
    }

    /// Runs until the operator quits, the task is cancelled, or a signal arrives.
    ///
    /// The first refresh happens before the screen is taken: if the server cannot be read then,
    /// `run()` throws at once and the terminal is untouched. Later failures are shown on screen
    /// (the last data stay) and retried at the next interval.
    ///
    /// - Returns: how the session ended; the terminal is restored by then.
    /// - Throws: the source's error on the first refresh, or ``Terminal/SetupError`` when full
    ///   screen was asked for without a terminal.
    public func run() async throws -> DashboardExit {
        let first = try await source.refresh(
            historyLimit: configuration.historyLimit, eventLimit: configuration.eventLimit)
        let model = DashboardModel(
            server: source.displayName, status: first.status, history: first.history ?? [], events: first.events ?? [])
        let fullScreen: Bool
        switch configuration.display {
        case .automatic: fullScreen = terminal.isInteractive
        case .fullScreen: fullScreen = true
        case .plain: fullScreen = false
        }
        guard fullScreen else { return await loop(model, screen: nil) }
        try terminal.enterFullScreen()
        defer { terminal.restore() }
        let style = configuration.style ?? .automatic(environment: Self.environment())
        return await loop(model, screen: Screen(terminal: terminal, style: style))
    }

    // MARK: The loop

    /// What wakes the loop.
    enum Event: Sendable {
        case refreshed(Result<DashboardData, any Error>)
        case input([UInt8])
        case inputClosed
        case resize
        case signal(Int32)
        case commandDone(message: String, isError: Bool)
    }

    /// The full screen and what was last drawn on it.
    struct Screen {
        let terminal: Terminal
        let style: DashboardStyle
        var lastSize: (columns: Int, rows: Int)?

        mutating func draw(_ model: DashboardModel, forceClear: Bool = false) {
            let size = terminal.size() ?? (80, 24)
            let clear = forceClear || lastSize.map { $0.columns != size.columns || $0.rows != size.rows } ?? true
            lastSize = size
            let lines = DashboardRenderer.render(model, width: size.columns, height: size.rows, style: style)
            terminal.draw(lines, height: size.rows, clear: clear)
        }
    }

    private func loop(_ initial: DashboardModel, screen: Screen?) async -> DashboardExit {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        var watchers = EventSources()
        if configuration.handlesSignals {
            for signal in screen == nil ? [SIGINT, SIGTERM] : [SIGINT, SIGTERM, SIGHUP] {
                watchers.watch(signal: signal) { continuation.yield(.signal(signal)) }
            }
        }
        if let screen {
            watchers.watch(signal: SIGWINCH) { continuation.yield(.resize) }
            let terminal = screen.terminal
            watchers.watch(fileDescriptor: terminal.input) {
                guard let bytes = terminal.readAvailable() else {
                    continuation.yield(.inputClosed)
                    return false
                }
                if !bytes.isEmpty { continuation.yield(.input(bytes)) }
                return true
            }
        }
        defer { watchers.cancelAll() }

        var screen = screen
        var model = initial
        return await withTaskGroup(of: Void.self) { group in
            let source = self.source
            let configuration = self.configuration
            let clock = self.clock
            group.addTask {
                while !Task.isCancelled {
                    guard (try? await clock.sleep(for: configuration.interval)) != nil else { return }
                    let result = await Self.refresh(source, configuration)
                    continuation.yield(.refreshed(result))
                }
            }
            var keys = DashboardKeys()
            var commandRunning = false
            func show() {
                if screen != nil { screen!.draw(model) }
            }
            if screen != nil {
                screen!.draw(model, forceClear: true)
            } else {
                configuration.plainOutput(PlainStatusLine.render(model))
            }

            for await event in events {
                switch event {
                case .refreshed(let result):
                    Self.apply(result, to: &model)
                    if screen == nil { configuration.plainOutput(PlainStatusLine.render(model)) }
                case .resize:
                    if screen != nil { screen!.draw(model, forceClear: true) }
                    continue
                case .signal(let signal):
                    group.cancelAll()
                    return .signal(signal)
                case .inputClosed:
                    // Nothing more can be typed (the terminal went away): leave as if quit.
                    group.cancelAll()
                    return .quit
                case .commandDone(let message, let isError):
                    commandRunning = false
                    model.message = message
                    model.messageIsError = isError
                case .input(let bytes):
                    for byte in bytes {
                        switch keys.handle(byte) {
                        case .none:
                            continue
                        case .quit:
                            group.cancelAll()
                            return .quit
                        case .ask(let question):
                            model.prompt = question
                        case .cancelled(let text):
                            model.prompt = nil
                            model.message = text
                            model.messageIsError = false
                        case .command(let command):
                            model.prompt = nil
                            guard !commandRunning else {
                                model.message = "\(command): wait, the previous command is still running"
                                model.messageIsError = true
                                continue
                            }
                            commandRunning = true
                            model.message = "\(command): sending…"
                            model.messageIsError = false
                            group.addTask {
                                let (message, isError) = await Self.perform(command, source, configuration)
                                continuation.yield(.commandDone(message: message, isError: isError))
                                continuation.yield(.refreshed(await Self.refresh(source, configuration)))
                            }
                        }
                    }
                }
                show()
            }
            // The stream ends only when the task is cancelled.
            group.cancelAll()
            return .cancelled
        }
    }

    static func refresh(_ source: any DashboardDataSource, _ configuration: Configuration) async -> Result<
        DashboardData, any Error
    > {
        do {
            return .success(
                try await source.refresh(historyLimit: configuration.historyLimit, eventLimit: configuration.eventLimit)
            )
        } catch {
            return .failure(error)
        }
    }

    static func apply(_ result: Result<DashboardData, any Error>, to model: inout DashboardModel) {
        switch result {
        case .success(let data):
            model.status = data.status
            if let history = data.history { model.history = history }
            if let events = data.events { model.events = events }
            model.connectionProblem = nil
        case .failure(let error):
            if error is CancellationError { return }
            model.connectionProblem = Self.problem(error)
        }
    }

    /// A short form of a refresh failure for the screen.
    static func problem(_ error: any Error) -> String {
        if let error = error as? AdminClientError, error.code == .unreachable {
            return "cannot reach \(error.url) (\(error.detail)); retrying"
        }
        return "\(error)"
    }

    static func perform(_ command: AdminCommand, _ source: any DashboardDataSource, _ configuration: Configuration)
        async
        -> (String, Bool)
    {
        do {
            let result = try await source.perform(command, reason: configuration.commandReason)
            return (StatusText.commandLine(command.rawValue, result), false)
        } catch {
            return ("\(command): \(error)", true)
        }
    }

    static func environment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["NO_COLOR", "TERM"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }
}

extension DashboardSession where C == ContinuousClock {
    /// Creates a session that refreshes on the real clock.
    public init(
        source: any DashboardDataSource, configuration: Configuration = .init(), terminal: Terminal = Terminal()
    ) {
        self.init(source: source, configuration: configuration, clock: ContinuousClock(), terminal: terminal)
    }
}

/// The signal and file-descriptor watchers of one session, cancelled together when it ends.
///
/// Each watched signal is set to be ignored while watched (so that its default action, such as
/// termination, does not run) and given back its previous disposition afterwards.
struct EventSources: ~Copyable {
    private var sources: [any DispatchSourceProtocol] = []
    private var dispositions: [(Int32, (@convention(c) (Int32) -> Void)?)] = []
    private let queue = DispatchQueue(label: "shepherd.dashboard.events")

    init() {}

    mutating func watch(signal number: Int32, _ handler: @escaping @Sendable () -> Void) {
        dispositions.append((number, signal(number, SIG_IGN)))
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    /// Calls `handler` whenever `fd` is readable, until it returns `false`.
    mutating func watch(fileDescriptor fd: Int32, _ handler: @escaping @Sendable () -> Bool) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        // The handler holds the source to cancel it at the end of the input (a read source on a
        // closed descriptor would fire forever); ``cancelAll()`` drops the handler, ending the cycle.
        source.setEventHandler {
            if !handler() { source.cancel() }
        }
        source.resume()
        sources.append(source)
    }

    mutating func cancelAll() {
        for source in sources {
            source.cancel()
            source.setEventHandler(handler: nil)
        }
        sources.removeAll()
        for (number, disposition) in dispositions.reversed() { signal(number, disposition) }
        dispositions.removeAll()
    }

    deinit {
        for source in sources {
            source.cancel()
            source.setEventHandler(handler: nil)
        }
        for (number, disposition) in dispositions.reversed() { signal(number, disposition) }
    }
}
