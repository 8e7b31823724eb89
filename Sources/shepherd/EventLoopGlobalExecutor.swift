import Atomics
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Swift concurrency's global executor on NIO's event loops, running each job the way Swift's own
/// global executor does: on the generic executor.
///
/// NIO's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()` runs every
/// job *as a job of the event loop's serial executor*. Shepherd's async functions (and
/// Hummingbird's, NIO's, AsyncHTTPClient's) are nonisolated: they belong on the generic executor,
/// so after nearly every `await` the runtime found the wrong executor current, enqueued the task
/// again (`swift_task_switch`) and ran it once more, a second trip through the event loop's queue
/// for every resumption. Counted with `perf probe` on `swift_job_run` in `shepherd serve` under
/// one-chunk streams: 192 jobs per stream under NIO's executor, 9 under this one (Swift's own
/// pool: 5); the no-logic floor of the stack went from 134 to 5. This executor hands each job to
/// an event loop (the current one when the enqueuing thread is one, so a task stays where its
/// socket is) and runs it there with `swift_job_run(job, generic)`, as the runtime's global
/// executor and its tests of this hook do.
///
/// Process-wide and once: ``install()`` is called by ``ServerRuntime/prepare(maxMallocArenas:)``,
/// never by a library or a test.
enum EventLoopGlobalExecutor {
    /// `swift_task_enqueueGlobal_hook`'s type: the job, and the runtime's own enqueue (unused).
    private typealias Original = @convention(thin) (UnownedJob) -> Void
    private typealias Hook = @convention(thin) (UnownedJob, Original) -> Void

    /// Installs the hook; `false` when it cannot be (no such hook in this runtime, another one
    /// already installed, or an executor reference of a layout this file does not know).
    static func install() -> Bool {
        // The generic executor is the all-zero `SerialExecutorRef` (an identity and an
        // implementation word); refuse any other layout rather than guess.
        guard MemoryLayout<UnownedSerialExecutor>.size == 2 * MemoryLayout<UInt>.size else { return false }
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        _ = MultiThreadedEventLoopGroup.singleton  // the loops exist before the first job arrives
        let hook: Hook = { job, _ in
            MultiThreadedEventLoopGroup.singleton.any().execute { runOnGenericExecutor(job) }
        }
        // The hook is a plain global of the runtime, read on every enqueue: swapped atomically,
        // and only if nobody (NIO among them) set one before.
        let slot = UnsafeAtomic<UnsafeRawPointer?>(
            at: UnsafeMutableRawPointer(symbol).assumingMemoryBound(to: UnsafeRawPointer?.AtomicRepresentation.self))
        return slot.compareExchange(
            expected: nil, desired: unsafeBitCast(hook, to: UnsafeRawPointer.self), ordering: .sequentiallyConsistent
        ).exchanged
    }
}

/// The runtime's entry that runs a job on an executor (what `UnownedJob.runSynchronously(on:)`
/// calls), given the generic executor, which has no public spelling.
@_silgen_name("swift_job_run")
private func swiftJobRun(_ job: UnownedJob, _ executor: UnownedSerialExecutor)

private func runOnGenericExecutor(_ job: UnownedJob) {
    swiftJobRun(job, unsafeBitCast((UInt(0), UInt(0)), to: UnownedSerialExecutor.self))
}
