public import Canary
import Foundation
import ShepherdConfig
public import Upstream

/// Whether and where `shepherd serve` exports traces, read from OpenTelemetry's standard
/// environment variables and checked before anything starts.
///
/// Tracing is off unless `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
/// names a collector (OTLP over HTTP, e.g. `http://otel-collector:4318`); `OTEL_SDK_DISABLED=true`
/// or `OTEL_TRACES_EXPORTER=none` turn it off again. The exporter (swift-otel) reads the other
/// variables itself (`OTEL_SERVICE_NAME`, default `shepherd`; `OTEL_TRACES_SAMPLER` and
/// `OTEL_TRACES_SAMPLER_ARG`; `OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_COMPRESSION`, …) but only
/// warns about a value it cannot use and carries on with its default; here such a value stops
/// start-up with an error naming the variable, so that a typo in a sampler cannot silently
/// trace everything or nothing.
///
/// ```swift
/// let settings = try TracingSettings(environment: ProcessInfo.processInfo.environment)
/// if settings.isEnabled { /* bootstrap the exporter */ }
/// ```
public struct TracingSettings: Sendable, CustomStringConvertible {
    /// The collector's OTLP/HTTP endpoint; `nil` when tracing is off.
    public var endpoint: String?
    /// The sampler as named by `OTEL_TRACES_SAMPLER` (default `parentbased_always_on`).
    public var sampler: String
    /// Values that must never be printed (`OTEL_EXPORTER_OTLP_HEADERS`' values: collector credentials).
    public var secrets: [Secret]
    /// Whether attempt spans record the prompt and the answer (`tracing.recordContent`, or
    /// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`). Default `false`.
    public var recordContent: Bool

    /// Whether traces are exported.
    public var isEnabled: Bool { endpoint != nil }

    /// The samplers swift-otel implements.
    public static let samplers = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
        "parentbased_traceidratio",
    ]

    /// Reads and checks the variables.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - recordContent: the configuration file's `tracing.recordContent`, when set.
    /// - Throws: ``ConfigFileError`` naming the variable and what it accepts.
    public init(environment: [String: String], recordContent: Bool? = nil) throws(ConfigFileError) {
        func fail(_ variable: String, _ reason: String) -> ConfigFileError {
            ConfigFileError(file: variable, keyPath: "", reason: reason)
        }
        func flag(_ variable: String) throws(ConfigFileError) -> Bool? {
            guard let value = environment[variable], !value.isEmpty else { return nil }
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: throw fail(variable, "must be true or false (got \(value))")
            }
        }
        let disabled = try flag("OTEL_SDK_DISABLED") ?? false
        let content = try flag("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
        self.recordContent = recordContent ?? content ?? false

        var endpoint: String?
        for variable in ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            guard let url = URL(string: value), let scheme = url.scheme, scheme == "http" || scheme == "https",
                url.host != nil
            else {
                throw fail(variable, "must be an http(s) URL of an OTLP/HTTP collector, e.g. http://localhost:4318")
            }
            endpoint = endpoint ?? value
        }
        for variable in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            guard value == "http/protobuf" || value == "http/json" else {
                throw fail(
                    variable, "must be http/protobuf or http/json: Shepherd exports OTLP over HTTP only (got \(value))")
            }
        }
        if let exporter = environment["OTEL_TRACES_EXPORTER"], !exporter.isEmpty {
            guard ["otlp", "none"].contains(exporter) else {
                throw fail("OTEL_TRACES_EXPORTER", "must be otlp or none (got \(exporter))")
            }
            if exporter == "none" { endpoint = nil }
        }
        let sampler = environment["OTEL_TRACES_SAMPLER"].flatMap { $0.isEmpty ? nil : $0 } ?? "parentbased_always_on"
        guard Self.samplers.contains(sampler) else {
            throw fail(
                "OTEL_TRACES_SAMPLER", "must be one of \(Self.samplers.joined(separator: ", ")) (got \(sampler))")
        }
        if let argument = environment["OTEL_TRACES_SAMPLER_ARG"], !argument.isEmpty, sampler.hasSuffix("traceidratio") {
            guard let ratio = Double(argument), (0...1).contains(ratio) else {
                throw fail("OTEL_TRACES_SAMPLER_ARG", "must be a number from 0 to 1 for \(sampler) (got \(argument))")
            }
        }
        if let timeout = environment["OTEL_EXPORTER_OTLP_TIMEOUT"], !timeout.isEmpty {
            guard let milliseconds = Int(timeout), milliseconds > 0 else {
                throw fail("OTEL_EXPORTER_OTLP_TIMEOUT", "must be a positive number of milliseconds (got \(timeout))")
            }
        }
        var secrets: [Secret] = []
        for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            for pair in value.split(separator: ",") {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    // The value is a credential: it is not repeated in the error.
                    throw fail(variable, "must be key=value pairs separated by commas")
                }
                let headerValue = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                secrets.append(Secret(headerValue.removingPercentEncoding ?? headerValue))
            }
        }
        self.endpoint = disabled ? nil : endpoint
        self.sampler = sampler
        self.secrets = secrets
    }

    public var description: String {
        guard let endpoint else { return "tracing off" }
        return "tracing to \(endpoint) (sampler \(sampler)\(recordContent ? ", prompts and answers recorded" : ""))"
    }
}
