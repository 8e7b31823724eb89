import Canary
import ShepherdConfig
import ShepherdServer
import Testing
import Upstream

struct TracingSettingsTests {
    @Test func tracingIsOffWithoutAnEndpoint() throws {
        let settings = try TracingSettings(environment: [:])
        #expect(!settings.isEnabled)
        #expect(!settings.recordContent)
        #expect(settings.description == "tracing off")
    }

    @Test func anEndpointTurnsItOnAndTheSDKSwitchOrNoneExporterTurnsItOff() throws {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(try TracingSettings(environment: endpoint).endpoint == "http://collector:4318")
        #expect(
            try TracingSettings(environment: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://c/v1/traces"]).isEnabled)
        #expect(try !TracingSettings(environment: endpoint.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }).isEnabled)
        #expect(try !TracingSettings(environment: endpoint.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }).isEnabled)
    }

    @Test(arguments: [
        ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        ("OTEL_SDK_DISABLED", "maybe"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
        ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "yes please"),
    ])
    func anUnusableValueIsAnErrorNamingTheVariable(variable: String, value: String) {
        var environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        environment[variable] = value
        #expect {
            try TracingSettings(environment: environment)
        } throws: { error in
            "\(error)".hasPrefix("\(variable): ")
        }
    }

    @Test func aSamplerRatioMustBeAProbability() throws {
        let base = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio"]
        #expect(
            try TracingSettings(environment: base.merging(["OTEL_TRACES_SAMPLER_ARG": "0.25"]) { $1 }).sampler
                == "parentbased_traceidratio")
        #expect(throws: ConfigFileError.self) {
            try TracingSettings(environment: base.merging(["OTEL_TRACES_SAMPLER_ARG": "2"]) { $1 })
        }
    }

    @Test func collectorHeadersAreSecretsAndAreNotRepeatedInErrors() throws {
        let credential = "Basic c2VjcmV0LXRva2VuLTEyMzQ1Ng=="
        let settings = try TracingSettings(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=\(credential)",
        ])
        #expect(settings.secrets == [Secret(credential)])
        #expect(!settings.description.contains(credential))
        do {
            _ = try TracingSettings(environment: ["OTEL_EXPORTER_OTLP_HEADERS": "token-without-a-key-0123456789"])
            Issue.record("a malformed header list was accepted")
        } catch {
            #expect(!"\(error)".contains("token-without-a-key"))
        }
    }

    @Test func theFileOptsInToContentAndBeatsTheVariable() throws {
        let environment = ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"]
        #expect(try TracingSettings(environment: environment).recordContent)
        #expect(try !TracingSettings(environment: environment, recordContent: false).recordContent)
    }
}
