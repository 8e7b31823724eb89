import Foundation
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a program with swift-subprocess, its output into files, and waits for it to exit.
///
/// Foundation's `Process` cannot run tmux: the client forks the tmux server, which keeps the
/// descriptors it inherited, and `Process` learns of an exit only when every holder of its
/// private socket has closed it, so `waitUntilExit()` would wait for the tmux server. A pipe
/// for the output would be held open the same way. Here the child gets standard input from
/// `/dev/null` and standard output and error into files; swift-subprocess closes every other
/// inherited descriptor and starts it with no signal blocked or ignored (the test process
/// ignores SIGPIPE: a tmux server that inherited that would never hear kill-server), and it
/// learns of the exit itself, from the child's process descriptor.
public enum ProcessRunner {
    /// How the program ended and what it wrote.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + n when killed by signal n.
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `path arguments…` with exactly `environment`, in `directory` when given, and waits for
    /// it; a watchdog kills it once `timeout` has passed, so that a hung child fails a test instead
    /// of hanging it.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Outcome {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("shepherd-spawn-\(UUID().uuidString)")
            .path
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let permissions: FilePermissions = [.ownerReadWrite]
        let out = try FileDescriptor.open(
            FilePath(outPath), .writeOnly, options: [.create, .truncate], permissions: permissions)
        let err = try FileDescriptor.open(
            FilePath(errPath), .writeOnly, options: [.create, .truncate], permissions: permissions)
        var variables: [Environment.Key: String] = [:]
        for (key, value) in environment { variables[Environment.Key(stringLiteral: key)] = value }
        let result = try await watched(timeout) { running in
            try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(arguments), environment: .custom(variables),
                workingDirectory: directory.map { FilePath($0) }, input: .none,
                output: .fileDescriptor(out, closeAfterSpawningProcess: true),
                error: .fileDescriptor(err, closeAfterSpawningProcess: true)
            ) { execution in
                running.pid.withLock { $0 = execution.processIdentifier.value }
            }
        }
        return Outcome(
            status: status(result.terminationStatus), stdout: contents(of: outPath), stderr: contents(of: errPath))
    }

    /// Runs `path arguments…`, reads its standard output line by line, and kills it (SIGKILL) as
    /// soon as `killWhen` says so of the lines read so far; the lines it wrote before it died are
    /// read too. Waits on the pipe, not on the clock; the watchdog kills a child that is still
    /// running after `timeout`.
    public static func runUntil(
        _ path: String, _ arguments: [String], timeout: Duration = .seconds(120),
        killWhen: ([String]) -> Bool
    ) async throws -> Outcome {
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shepherd-spawn-\(UUID().uuidString).err"
        ).path
        defer { unlink(errPath) }
        let err = try FileDescriptor.open(
            FilePath(errPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let result = try await watched(timeout) { running in
            try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(arguments), input: .none, output: .sequence,
                error: .fileDescriptor(err, closeAfterSpawningProcess: true)
            ) { execution in
                running.pid.withLock { $0 = execution.processIdentifier.value }
                var bytes: [UInt8] = []
                var lines: [String] = []
                var lineStart = 0
                var killed = false
                for try await buffer in execution.standardOutput {
                    buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
                    while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                        lines.append(String(decoding: bytes[lineStart..<newline], as: UTF8.self))
                        lineStart = newline + 1
                    }
                    if !killed, killWhen(lines) {
                        try execution.send(signal: .kill)
                        killed = true
                    }
                }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        return Outcome(
            status: status(result.terminationStatus), stdout: result.closureResult, stderr: contents(of: errPath))
    }

    /// Runs `body` (which starts the child and records its pid) beside a watchdog that kills the
    /// child once `timeout` has passed, unless `body` has returned by then (it reaps the child, and
    /// from then on the pid may be reused).
    private static func watched<Result: Sendable>(
        _ timeout: Duration, _ body: (RunningChild) async throws -> Result
    ) async throws -> Result {
        let running = RunningChild()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                running.pid.withLock { pid in
                    if let pid { kill(pid, SIGKILL) }
                }
            }
            defer { group.cancelAll() }
            let result = try await body(running)
            running.pid.withLock { $0 = nil }
            return result
        }
    }

    private static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    private static func contents(of path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// The child's pid while it may be running: the watchdog's to kill.
    private final class RunningChild: Sendable {
        let pid = Mutex<pid_t?>(nil)
    }
}
