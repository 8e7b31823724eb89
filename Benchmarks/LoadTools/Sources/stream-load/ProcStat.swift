#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What /proc says about a set of processes (Linux only; zero elsewhere or for a gone process).
enum ProcStat {
    /// VmRSS summed over the processes, in KB.
    static func rssKB(_ pids: [Int32]) -> Int {
        pids.reduce(0) { total, pid in
            guard let text = read("/proc/\(pid)/status") else { return total }
            for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
                let number = line.dropFirst(6).filter { $0.isNumber }
                return total + (Int(number) ?? 0)
            }
            return total
        }
    }

    /// utime + stime summed over the processes (all their threads), in clock ticks.
    static func cpuTicks(_ pids: [Int32]) -> Int {
        pids.reduce(0) { total, pid in
            // The command name (field 2) may hold spaces: the fields after it follow the last ')'.
            guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return total }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return total }
            return total + user + system
        }
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
