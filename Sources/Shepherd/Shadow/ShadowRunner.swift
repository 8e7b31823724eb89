import Synchronization

/// The relay calls of the shadow phase, run apart from the request path.
///
/// The router submits a job once the client's answer is on its way; the job never delays,
/// changes or fails that answer. Jobs wait in a bounded queue (a full queue drops the newest and
/// counts it) and run, a few at a time, in ``run()``, which the ``RolloutController`` runs beside
/// its evaluations. Tests call ``runPending()`` to run what is queued, deterministically.
final class ShadowRunner: Sendable {
    /// One shadow call: the relay's answer, produced by the router's closure, and what to do with it.
    struct Job: Sendable {
        var call: @Sendable () async -> Void
    }

    /// The most jobs waiting; more are dropped (and counted) rather than queued without bound.
    static let capacity = 256
    /// Shadow calls in flight at once.
    static let concurrency = 8

    private struct Queue {
        var jobs: [Job] = []
        var dropped = 0
    }

    private let queue = Mutex(Queue())
    private let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// Queues a job.
    /// - Returns: `false` when the queue was full and the job was dropped.
    @discardableResult
    func submit(_ job: Job) -> Bool {
        let queued = queue.withLock { queue in
            guard queue.jobs.count < Self.capacity else {
                queue.dropped += 1
                return false
            }
            queue.jobs.append(job)
            return true
        }
        if queued { signal.yield() }
        return queued
    }

    /// Jobs dropped because the queue was full.
    var dropped: Int { queue.withLock { $0.dropped } }

    /// Jobs waiting.
    var pending: Int { queue.withLock { $0.jobs.count } }

    /// Runs every queued job (and those queued meanwhile), at most ``concurrency`` at once, and
    /// returns when the queue is empty.
    func runPending() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while true {
                // Cancelled (a shutdown): start nothing more, let the running ones end.
                let next =
                    Task.isCancelled
                    ? nil : queue.withLock { queue -> Job? in queue.jobs.isEmpty ? nil : queue.jobs.removeFirst() }
                guard let next else {
                    if running == 0 { return }
                    await group.next()
                    running -= 1
                    continue
                }
                if running >= Self.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await next.call() }
                running += 1
            }
        }
    }

    /// Runs jobs as they are submitted until cancelled.
    func run() async {
        for await _ in signals {
            await runPending()
        }
    }

    /// Ends ``run()``.
    func finish() { signal.finish() }
}
