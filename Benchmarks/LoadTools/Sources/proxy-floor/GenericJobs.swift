import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The floor's copy of `shepherd serve`'s global executor (Sources/shepherd/EventLoopGlobalExecutor.swift,
/// which explains it): jobs on NIO's event loops, run on the generic executor. A copy, because this
/// package must not build Shepherd; kept to the same behaviour so the floor stays Shepherd's stack.
enum GenericJobsOnEventLoops {
    typealias Original = @convention(thin) (UnownedJob) -> Void
    typealias Hook = @convention(thin) (UnownedJob, Original) -> Void

    /// Sets the hook at start-up, before any other thread could (no atomic swap needed here).
    static func install() -> Bool {
        guard MemoryLayout<UnownedSerialExecutor>.size == 2 * MemoryLayout<UInt>.size,
            let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook")
        else { return false }
        let slot = symbol.assumingMemoryBound(to: UnsafeRawPointer?.self)
        guard slot.pointee == nil else { return false }
        _ = MultiThreadedEventLoopGroup.singleton
        let hook: Hook = { job, _ in
            MultiThreadedEventLoopGroup.singleton.any().execute {
                jobRun(job, unsafeBitCast((UInt(0), UInt(0)), to: UnownedSerialExecutor.self))
            }
        }
        slot.pointee = unsafeBitCast(hook, to: UnsafeRawPointer.self)
        return true
    }
}

@_silgen_name("swift_job_run")
private func jobRun(_ job: UnownedJob, _ executor: UnownedSerialExecutor)
