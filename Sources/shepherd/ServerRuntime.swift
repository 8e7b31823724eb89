import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide settings for a proxy process: where Swift concurrency runs and how malloc
/// keeps memory. Call ``prepare(maxMallocArenas:)`` once, first thing, from the executable
/// (never from a library or a test: both settings belong to the whole process).
///
/// - **Concurrency on the event loops.** By default every `await` in a request handler runs on
///   Swift's global thread pool while the sockets live on NIO's event loops, so each request
///   hops between the two pools several times (read the body, call the upstream, get its
///   answer, write the response): on a loaded two-core machine those hops were most of the
///   proxy's CPU time. With NIO's singleton event loop group as the global executor
///   (``EventLoopGlobalExecutor``), a task resumed from an event loop stays on that loop;
///   Hummingbird, the HTTP clients and the handlers share the same few threads. Nothing in the
///   request path may block a thread for long (the SQLite store runs on GRDB's own queues).
/// - **Fewer malloc arenas.** glibc gives every thread that allocates its own arena (up to 8
///   per core), and each keeps its high-water mark; a proxy allocates on every thread. Two
///   arenas bound the resident size under load. The `MALLOC_ARENA_MAX` environment variable
///   would do the same but cannot be relied on to be set, so the process sets it itself
///   (an explicit `MALLOC_ARENA_MAX` in the environment wins).
/// - **Open files up to the hard limit.** Every stream holds a client socket and an upstream
///   socket for its whole answer, so 2,000 streams need 4,000 descriptors, past the usual soft
///   limit of 1,024. The soft limit is raised to the hard one (as nginx's
///   `worker_rlimit_nofile` and Go's runtime do); the hard limit stays the operator's.
enum ServerRuntime {
    /// What ``prepare(maxMallocArenas:)`` managed to set.
    struct Report: Sendable, CustomStringConvertible {
        /// How Swift concurrency now runs on NIO's event loops; `nil`: it does not.
        var executor: ExecutorChoice?
        /// The malloc arena limit set, `nil` when left alone.
        var mallocArenas: Int?
        /// The open-file (soft) limit now, `nil` when unknown or unlimited.
        var openFiles: Int?
        /// What is wrong with `SHEPHERD_EVENT_LOOP_EXECUTOR`, when its value is not one it knows
        /// (the default executor is used).
        var warning: String?

        var description: String {
            "concurrency on event loops: \(executor.map { "yes (\($0))" } ?? "no"), malloc arenas: "
                + (mallocArenas.map(String.init) ?? "default") + ", open files: "
                + (openFiles.map(String.init) ?? "unlimited")
        }
    }

    /// Applies both settings; safe to call more than once (later calls change nothing).
    ///
    /// `SHEPHERD_EVENT_LOOP_EXECUTOR=0` in the environment leaves Swift concurrency on its own
    /// pool (an escape hatch, should a dependency ever block a thread); `nio` uses NIO's own
    /// takeover instead of ``EventLoopGlobalExecutor`` (to compare the two).
    ///
    /// - Parameter maxMallocArenas: the glibc arena limit (ignored where there is no glibc).
    /// - Returns: what was set, for the start-up log line.
    @discardableResult
    static func prepare(maxMallocArenas: Int = 2) -> Report {
        let arenas = limitMallocArenas(maxMallocArenas)
        let openFiles = raiseOpenFileLimit()
        let value = getenv("SHEPHERD_EVENT_LOOP_EXECUTOR").map { String(cString: $0) }
        let (choice, known) = ExecutorChoice.from(environment: value)
        let warning =
            known
            ? nil
            : "SHEPHERD_EVENT_LOOP_EXECUTOR=\(value ?? "") is not one of 0, 1, generic or nio: the default is used"
        let executor = installed.withLock { done -> ExecutorChoice? in
            if let done { return done }
            var result: ExecutorChoice?
            switch choice {
            case .generic?: result = EventLoopGlobalExecutor.install() ? .generic : nil
            case .nio?:
                result =
                    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() ? .nio : nil
            case nil: result = nil
            }
            done = .some(result)
            return result
        }
        return Report(executor: executor, mallocArenas: arenas, openFiles: openFiles, warning: warning)
    }

    /// How the global executor is put on the event loops, from `SHEPHERD_EVENT_LOOP_EXECUTOR`;
    /// `nil` (the value `0`): not at all.
    enum ExecutorChoice: Sendable, CustomStringConvertible {
        /// ``EventLoopGlobalExecutor``: jobs on the loops, run on the generic executor (the default).
        case generic
        /// NIO's own takeover, which runs jobs as the loop's serial executor (kept to compare).
        case nio

        var description: String {
            switch self {
            case .generic: "jobs on the generic executor"
            case .nio: "NIO's executor"
            }
        }

        /// `0`: none; `nio`: NIO's; unset, empty, `1` or `generic`: ``generic``, which is also
        /// what any other value gets, with `known` false.
        static func from(environment value: String?) -> (choice: ExecutorChoice?, known: Bool) {
            switch value {
            case "0": (nil, true)
            case "nio": (.nio, true)
            case nil, "", "1", "generic": (.generic, true)
            default: (.generic, false)
            }
        }
    }

    /// The executor installed: `nil` not tried yet, `.some(nil)` none (the hook takes one attempt).
    private static let installed = Mutex<ExecutorChoice??>(nil)

    /// Raises the soft open-file limit to the hard limit; returns the soft limit in force.
    private static func raiseOpenFileLimit() -> Int? {
        #if canImport(Glibc)
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
            if limit.rlim_cur < limit.rlim_max {
                var raised = limit
                raised.rlim_cur = limit.rlim_max
                if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
            }
            return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
        #else
            return nil
        #endif
    }

    private static func limitMallocArenas(_ limit: Int) -> Int? {
        #if canImport(Glibc)
            if let explicit = getenv("MALLOC_ARENA_MAX").flatMap({ Int(String(cString: $0)) }) { return explicit }
            // `mallopt` is declared in <malloc.h>, which the Glibc module does not import: look it up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return nil }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
            return mallopt(arenaMax, Int32(clamping: limit)) == 1 ? limit : nil
        #else
            return nil
        #endif
    }
}
