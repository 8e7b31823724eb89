import Hummingbird
import NIOCore

/// The mock's request context: Hummingbird's basic context plus the connection,
/// which the mock needs to reset it or notice that the client left.
struct MockRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Requests are small; a bigger body is a test bug.
    var maxUploadSize: Int { 16 << 20 }
}
