/// What a malformed answer (``FaultScenario/Phase/malformedRate``) looks like: the ways a
/// misconfigured gateway, a proxy's error page or the wrong kind of endpoint answer 200.
public enum MalformedBody: String, Sendable, Hashable, CaseIterable {
    /// JSON cut in half (complete calls), or one broken event in the middle of a stream.
    case truncated
    /// An HTML page (`text/html`), as a login wall or a proxy's error page sends.
    case html
    /// A 200 with an empty body.
    case empty
    /// A well-formed answer of the other wire format: OpenAI's shape on Anthropic's
    /// `/v1/messages`, Anthropic's on `/v1/chat/completions` (an upstream of the wrong flavor).
    case otherFlavor = "other-flavor"
    /// An OpenAI-shaped answer with `choices: []`, whichever route was called.
    case noChoices = "no-choices"
}
