import ArgumentParser
import Foundation
import Operator

/// `--url` and `--token`, shared by the commands that talk to a running server's admin API.
///
/// The URL defaults to `SHEPHERD_URL`, then to `http://127.0.0.1:8080` (the default `listen` of
/// `shepherd serve`); the token to `SHEPHERD_ADMIN_TOKEN`.
struct AdminOptions: ParsableArguments {
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(name: .long, help: "The server's address (default: $SHEPHERD_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(
        name: .long,
        help: "The admin token (default: $SHEPHERD_ADMIN_TOKEN; prefer the variable, a flag shows in `ps`).")
    var token: String?

    /// The URL to use: the flag, the environment, or the default.
    var resolvedURL: String {
        if let url, !url.isEmpty { return url }
        if let url = ProcessInfo.processInfo.environment["SHEPHERD_URL"], !url.isEmpty { return url }
        return Self.defaultURL
    }

    /// The token to use: the flag or the environment.
    var resolvedToken: String? {
        if let token, !token.isEmpty { return token }
        return ProcessInfo.processInfo.environment["SHEPHERD_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a client; an ``AdminClientError`` becomes `error: …` on stderr and its exit code.
    func withClient<R: Sendable>(_ body: (AdminClient) async throws -> R) async throws -> R {
        do {
            return try await AdminClient.withClient(url: resolvedURL, token: resolvedToken, body)
        } catch let error as AdminClientError {
            printError("error: \(error)")
            throw ExitCode(error.exitCode)
        }
    }
}

/// The shared body of `promote`, `pause`, `resume` and `rollback`.
func runAdminCommand(_ command: AdminCommand, reason: String?, options: AdminOptions) async throws {
    let result = try await options.withClient { try await $0.apply(command, reason: reason) }
    print(StatusText.commandLine(command.rawValue, result))
}
