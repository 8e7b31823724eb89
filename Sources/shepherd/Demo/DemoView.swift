import Foundation
import Operator
import Synchronization

/// What the demo shows while it runs: the real dashboard, reading the demo's proxy over HTTP
/// like `shepherd dashboard` would (full screen on a terminal, one line per second otherwise).
final class DemoView: Sendable {
    private let plain: Bool
    private let proxy: String
    private let scenario: DemoScenario
    private let speed: Double
    private let admin: AdminClient
    private let session = Mutex<Task<DashboardExit?, Never>?>(nil)
    private let quit = Mutex(false)
    private let fullScreen = Mutex(false)

    init(plain: Bool, proxy: String, token: String, scenario: DemoScenario, speed: Double) {
        self.plain = plain
        self.proxy = proxy
        self.scenario = scenario
        self.speed = speed
        admin = AdminClient(url: proxy, token: token)
    }

    /// Whether the viewer pressed `q` (or Ctrl-C) in the dashboard.
    var quitRequested: Bool { quit.withLock { $0 } }

    func start() {
        say("shepherd demo: \(scenario.story)")
        say("  proxy at \(proxy); the policy's time runs \(Int(speed))× faster; it ends by itself (q quits early)")
        let configuration = DashboardSession<ContinuousClock>.Configuration(
            interval: .seconds(1), display: plain ? .plain : .automatic, handlesSignals: false,
            commandReason: "shepherd demo dashboard")
        let dashboard = DashboardSession(source: admin, configuration: configuration)
        fullScreen.withLock { $0 = !plain && dashboard.terminal.isInteractive }
        session.withLock {
            $0 = Task {
                do {
                    let exit = try await dashboard.run()
                    if exit == .quit { self.quit.withLock { $0 = true } }
                    return exit
                } catch {
                    say("  (the dashboard stopped: \(error))")
                    return nil
                }
            }
        }
    }

    /// A line about what the demo did (shown between plain lines; the full-screen view shows it
    /// in its events instead).
    func note(_ message: String) {
        guard !fullScreen.withLock({ $0 }) else { return }
        say("  » \(message)")
    }

    /// Stops the dashboard (restoring the terminal) and closes its HTTP client.
    func stop() async {
        let running = session.withLock { $0 }
        running?.cancel()
        _ = await running?.value
        try? await admin.shutdown()
    }
}
