public import Canary
import Foundation
public import Logging
public import ServiceLifecycle

/// Engages the rollback switch while a flag file exists: the operator's "touch to roll back".
///
/// Polls the file on an injected clock (tests advance a ``ManualClock``; `shepherd serve` uses
/// `ContinuousClock`), engaging the switch's `flagFile` source when the file appears and
/// releasing it when it goes away. The file's first line, if any, is the reason shown to
/// operators.
///
/// ```swift
/// let watcher = RollbackFlagWatcher(path: "/var/run/shepherd/rollback", rollbackSwitch: router.rollbackSwitch,
///                                   interval: .seconds(1), clock: ContinuousClock(), logger: logger)
/// // add `watcher` to the ServiceGroup
/// ```
public struct RollbackFlagWatcher<C: Clock>: Service where C.Duration == Duration {
    let path: String
    let rollbackSwitch: RollbackSwitch
    let interval: Duration
    let clock: C
    let logger: Logger

    /// Creates a watcher.
    public init(path: String, rollbackSwitch: RollbackSwitch, interval: Duration, clock: C, logger: Logger) {
        self.path = path
        self.rollbackSwitch = rollbackSwitch
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// Checks the file once and updates the switch.
    ///
    /// - Returns: whether the file exists.
    @discardableResult
    public func check() -> Bool {
        let exists = FileManager.default.fileExists(atPath: path)
        let reason: String
        if exists {
            let firstLine =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            reason = firstLine.isEmpty ? "flag file \(path) exists" : "flag file \(path): \(firstLine)"
        } else {
            reason = ""
        }
        let wasEngaged = rollbackSwitch.state.engagedBy.contains(.flagFile)
        if exists != wasEngaged {
            rollbackSwitch.set(.flagFile, engaged: exists, reason: reason)
            if exists {
                logger.critical("rollback engaged: \(reason); all traffic goes to legacy")
            } else {
                logger.notice("rollback flag file \(path) removed: the flag-file source is released")
            }
        }
        return exists
    }

    /// Checks at start and then every `interval` until cancelled or shut down.
    public func run() async throws {
        check()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Shutdown cancels the sleep: that is the normal way out, not a failure.
                guard (try? await clock.sleep(for: interval)) != nil else { return }
                check()
            }
        }
    }
}
