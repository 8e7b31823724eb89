// The libFuzzer entry point for every property in FuzzChecks; FUZZ_TARGET names the one to run
// (Tests/Fuzz/run.sh sets it). A property that does not hold traps, which libFuzzer reports as a
// crash and saves the input that caused it.
import FuzzChecks

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// libFuzzer calls the entry point from one thread (parallel runs are separate processes), so the
// cached choice is only ever read and written by that thread.
nonisolated(unsafe) private var check: (@Sendable ([UInt8]) -> [String])?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    if check == nil {
        let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let found = FuzzChecks.targets[name] else {
            fatalError("FUZZ_TARGET must be one of \(FuzzChecks.targets.keys.sorted()) (got \"\(name)\")")
        }
        check = found
    }
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    let problems = check!(bytes)
    if !problems.isEmpty {
        fatalError("property failed: \(problems.joined(separator: "; "))")
    }
    return 0
}
