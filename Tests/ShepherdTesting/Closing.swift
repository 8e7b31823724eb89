/// Runs `body`, then `close`, whether `body` returned or threw: the `defer` that tests would
/// write if `defer` could await. A client or a store left open when an expectation throws
/// crashes the whole test process (`HTTPClient`'s deinit), so every harness closes this way.
///
/// `close`'s own failure is thrown only when `body` succeeded: the body's error says more.
///
/// ```swift
/// try await closing(provider.shutdown) {
///     _ = try await provider.complete(request, context: CallContext())
/// }
/// ```
public func closing<R>(_ close: () async throws -> Void, after body: () async throws -> R) async throws -> R {
    let result: R
    do {
        result = try await body()
    } catch {
        try? await close()
        throw error
    }
    try await close()
    return result
}
