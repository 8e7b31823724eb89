import Canary
import Synchronization

/// The attempts of one call, appended from inside retried operations.
final class AttemptLog: Sendable {
    private let attempts = Mutex<[RoutedAttempt]>([])
    /// The path the split chose: an attempt elsewhere answers a failover.
    let chosen: TrafficPath
    /// Time since the call began, when tracing wants the waits between attempts; else `nil`.
    private let elapsed: (@Sendable () -> Duration)?
    /// When the latest attempt ended (on `elapsed`'s scale).
    private let lastEnd = Mutex<Duration?>(nil)

    init(chosen: TrafficPath, elapsed: (@Sendable () -> Duration)? = nil) {
        self.chosen = chosen
        self.elapsed = elapsed
    }

    /// The wait before a retry (`attempt` > 1) since the previous attempt ended, when timed.
    func retryWait(before attempt: Int) -> Duration? {
        guard attempt > 1, let elapsed, let end = lastEnd.withLock({ $0 }) else { return nil }
        return elapsed() - end
    }

    /// Marks the end of an attempt, when timed.
    func ended() {
        guard let elapsed else { return }
        let now = elapsed()
        lastEnd.withLock { $0 = now }
    }

    func append(_ attempt: RoutedAttempt) {
        attempts.withLock { $0.append(attempt) }
    }

    var all: [RoutedAttempt] { attempts.withLock { $0 } }
}
