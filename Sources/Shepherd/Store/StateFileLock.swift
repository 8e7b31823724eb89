#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a state file, held by the one process that runs its rollout.
///
/// Two `shepherd serve` processes on one SQLite file each ran their own ramp and wrote an audit
/// log that contradicts itself; several replicas share a rollout through PostgreSQL instead.
/// The lock is `flock` on a `PATH.lock` file beside the database: the kernel releases it when
/// the process dies (kill -9 included), so a crash never leaves a stale lock, and it is
/// independent of SQLite's own locks on the database file. The holder's process id is written
/// into the file so that the refusal can name it.
final class StateFileLock: Sendable {
    /// The lock file.
    let path: String
    /// The open descriptor holding the lock (closed by ``release()``, which ends the lock).
    private let descriptor: Int32

    /// Takes the lock, or fails at once naming the process that holds it.
    ///
    /// - Throws: ``RolloutStoreError`` (operation `open`) when another process holds the lock or
    ///   the lock file cannot be created.
    init(database: String) throws {
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RolloutStoreError(
                operation: "open", reason: "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readHolder(fd)
            close(fd)
            throw RolloutStoreError(
                operation: "open",
                reason: "\(database) is in use by another shepherd process\(holder.map { " (pid \($0))" } ?? ""): "
                    + "one process runs a rollout per state file; to run several replicas, share the rollout "
                    + "through PostgreSQL (--state postgres://USER@HOST:PORT/DB)")
        }
        descriptor = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Ends the lock (closing the descriptor releases it). Called once, when the store closes.
    func release() {
        close(descriptor)
    }

    private static func readHolder(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace())
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
