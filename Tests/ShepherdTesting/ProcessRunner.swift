import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with `posix_spawn`, closing every inherited descriptor above standard error.
///
/// Foundation's `Process` cannot run tmux: the client forks the tmux server, which keeps the
/// descriptors it inherited, and `Process` learns of an exit only when every holder of its
/// private socket has closed it, so `waitUntilExit()` would wait for the tmux server. A
/// server that inherits other processes' descriptors would also hold up their waits. Here the
/// child gets standard input from `/dev/null`, standard output and error into files, nothing
/// else, and no signal blocked or ignored. The wait runs on a thread of its own, never blocking
/// the concurrency executor (on Linux that executor runs on Dispatch's global queues).
public enum ProcessRunner {
    /// The program could not be started or waited for.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// How the program ended and what it wrote.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + n when killed by signal n.
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `path arguments…` with exactly `environment`, in `directory` when given, and waits for
    /// it; a watchdog kills it after `timeout` seconds, so that a hung child fails a test instead of
    /// hanging it.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        timeout: Double = 60
    ) async throws -> Outcome {
        try await blocking { () -> Result<Outcome, Failure> in
            runBlocking(path, arguments, environment: environment, directory: directory, timeout: timeout)
        }.get()
    }

    /// ``run(_:_:environment:directory:timeout:)`` on the calling thread.
    public static func runBlocking(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        timeout: Double = 60
    ) -> Result<Outcome, Failure> {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-spawn-\(UUID().uuidString)")
            .path
        let outPath = base + ".out"
        let errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)
        if let directory, !changeDirectory(&actions, to: directory) {
            return .failure(Failure(description: "cannot run \(path) in \(directory): no posix_spawn chdir action"))
        }

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // The child starts with no blocked signal and every signal at its default action: the
        // calling thread (a Dispatch worker) blocks signals, and the process ignores SIGPIPE;
        // a tmux server that inherited either would never reap its panes or hear kill-server.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            return .failure(Failure(description: "cannot run \(path): \(String(cString: strerror(spawned)))"))
        }
        let reaped = Reaped()
        let child = pid
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            reaped.value.withLock { done in if !done { kill(child, SIGKILL) } }
        }
        var status: Int32 = 0
        var waited: pid_t
        repeat {
            waited = waitpid(pid, &status, 0)
        } while waited < 0 && errno == EINTR
        // From here on the pid may be reused: the watchdog must not touch it.
        reaped.value.withLock { $0 = true }
        guard waited == pid else {
            return .failure(Failure(description: "waiting for \(path): \(String(cString: strerror(errno)))"))
        }
        let signal = status & 0x7F
        let exit = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        func text(_ path: String) -> String {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        return .success(Outcome(status: exit, stdout: text(outPath), stderr: text(errPath)))
    }

    private final class Reaped: Sendable {
        let value = Mutex(false)
    }

    private typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// `posix_spawn_file_actions_addchdir_np(3)` (glibc 2.29+, looked up like the close action below).
    private static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, to directory: String) -> Bool {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return false }
        let addChdir = unsafeBitCast(symbol, to: ChangeDirectory.self)
        return addChdir(&actions, directory) == 0
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np(3)` (glibc 2.34+, not in Swift's Glibc module,
    /// hence `dlsym`); without it, a close action for each descriptor open now (glibc ignores
    /// one that is closed by the time of the spawn).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}

/// Runs blocking `body` on a thread of its own and returns its result, without blocking the
/// Swift concurrency executor.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
