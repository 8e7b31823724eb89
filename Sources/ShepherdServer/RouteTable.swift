import Hummingbird
import Synchronization

/// The routes the server registered, by path: what tells a 405 from a 404.
///
/// Filled while the routes are registered (before the server listens), read on every
/// unknown method; a `Mutex` keeps it `Sendable` without an unchecked promise.
final class RouteTable: Sendable {
    private let methods = Mutex<[String: Set<HTTPRequest.Method>]>([:])

    func record(_ method: HTTPRequest.Method, _ path: String) {
        _ = methods.withLock { $0[path, default: []].insert(method) }
    }

    /// The methods registered at `path` (a trailing slash ignored), empty when none.
    func methods(at path: String) -> [HTTPRequest.Method] {
        let normalized = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return Array(methods.withLock { $0[normalized] ?? [] })
    }
}
