import Canary
public import Hummingbird

extension HTTPFields.Element.Name {
    /// `x-shepherd-path: relay|legacy`: the path that answered.
    public static let shepherdPath = HTTPFields.Element.Name("x-shepherd-path")!
    /// `x-shepherd-fallback: true|false`: whether a relay failure was answered by legacy.
    public static let shepherdFallback = HTTPFields.Element.Name("x-shepherd-fallback")!
    /// `x-shepherd-model`: the model that answered.
    public static let shepherdModel = HTTPFields.Element.Name("x-shepherd-model")!
    /// `x-shepherd-routing-key`: the sticky key of the canary split.
    public static let shepherdRoutingKey = HTTPFields.Element.Name("x-shepherd-routing-key")!
    /// `x-shepherd-tier`: the task tier whose model fallback chain a call follows on the relay.
    public static let shepherdTier = HTTPFields.Element.Name("x-shepherd-tier")!
    /// `x-session-id`: a routing key when `x-shepherd-routing-key` is absent.
    public static let sessionID = HTTPFields.Element.Name("x-session-id")!
    /// `x-request-id`: the correlation id, echoed and sent upstream.
    public static let requestID = HTTPFields.Element.Name("x-request-id")!
}

extension HTTPFields {
    /// The routing headers of an answer: `x-shepherd-path`, `x-shepherd-fallback`, `x-shepherd-model`.
    static func shepherd(path: TrafficPath, fellBack: Bool, model: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.shepherdPath] = path.rawValue
        headers[.shepherdFallback] = fellBack ? "true" : "false"
        if !model.isEmpty { headers[.shepherdModel] = model }
        return headers
    }
}
