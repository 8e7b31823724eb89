public import Logging
public import Upstream

/// Wraps a log handler so that no configured secret reaches it: the message and every metadata
/// value go through a ``SecretRedactor`` first. `shepherd serve` wraps its text handler in it;
/// ``JSONLogHandler`` redacts by itself.
public struct RedactingLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped
    private let redactor: SecretRedactor

    /// Wraps `wrapped`, redacting with `redactor`.
    public init(_ wrapped: Wrapped, redactor: SecretRedactor) {
        self.wrapped = wrapped
        self.redactor = redactor
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: redactor.redact(event.message.description))
        event.metadata = event.metadata?.mapValues(redact)
        wrapped.log(event: event)
    }

    private func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(redactor.redact(text))
        case .stringConvertible(let convertible): .string(redactor.redact(convertible.description))
        case .array(let values): .array(values.map(redact))
        case .dictionary(let dictionary): .dictionary(dictionary.mapValues(redact))
        }
    }
}
