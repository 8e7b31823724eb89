import Foundation
import Logging
import OTel
import ServiceLifecycle
import ShepherdServer
import Upstream

/// The process-wide observability choices of `shepherd serve`: the log handler and the tracer.
enum Observability {
    /// Bootstraps swift-log: text or JSON lines on standard error, every configured secret
    /// redacted, and the current trace and span ids on every line when tracing is on.
    static func bootstrapLogging(format: LogFormat, level: Logger.Level, secrets: [Secret], traceIDs: Bool) {
        let redactor = SecretRedactor(secrets: secrets)
        let provider: Logger.MetadataProvider? = traceIDs ? OTel.makeLoggingMetadataProvider() : nil
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .json:
                    return JSONLogHandler(label: label, level: level, redactor: redactor, metadataProvider: provider)
                case .text:
                    var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return RedactingLogHandler(handler, redactor: redactor)
                }
            }, metadataProvider: provider)
    }

    /// Bootstraps the OTLP/HTTP trace exporter when `settings` names a collector, and returns
    /// its service (run it in the service group); `nil` when tracing is off: no tracer, no cost.
    static func bootstrapTracing(_ settings: TracingSettings, environment: [String: String]) throws -> (any Service)? {
        guard settings.isEnabled else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "shepherd"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false  // metrics stay on /metrics (Prometheus)
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // Its own diagnostics go through the process's handler (JSON, redacted) at warning and
        // above: its info lines repeat environment values, collector credentials included.
        configuration.diagnosticLogger = .custom(Logger(label: "shepherd.otel"))
        configuration.diagnosticLogLevel = .warning
        return try OTel.bootstrap(configuration: configuration, environment: environment)
    }
}
