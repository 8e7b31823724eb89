#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `stream-load upstream ...` or `stream-load client ...`; options are `--name value` pairs
/// (see ``UpstreamServer/usage`` and ``LoadClient/usage``).
@main
struct StreamLoad {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let command = arguments.first else { fail(usage) }
        arguments.removeFirst()
        let options = Options(arguments)
        switch command {
        case "upstream":
            UpstreamServer.run(options)
        case "client":
            LoadClient.run(options)
        default:
            fail(usage)
        }
    }

    static let usage = """
        usage: stream-load upstream [options]   (\(UpstreamServer.usage))
               stream-load client [options]     (\(LoadClient.usage))
        """
}

/// `--name value` pairs; a flag given twice keeps every value (``all(_:)``).
struct Options {
    private var values: [String: [String]] = [:]

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else { fail("expected --name value, got \(name)") }
            values[String(name.dropFirst(2)), default: []].append(arguments[index + 1])
            index += 2
        }
    }

    func string(_ name: String, _ fallback: String) -> String { values[name]?.last ?? fallback }

    func int(_ name: String, _ fallback: Int) -> Int {
        guard let text = values[name]?.last else { return fallback }
        guard let value = Int(text) else { fail("--\(name) takes an integer, got \(text)") }
        return value
    }

    func double(_ name: String, _ fallback: Double) -> Double {
        guard let text = values[name]?.last else { return fallback }
        guard let value = Double(text) else { fail("--\(name) takes a number, got \(text)") }
        return value
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }
}

func fail(_ message: String) -> Never {
    let line = "stream-load: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}
