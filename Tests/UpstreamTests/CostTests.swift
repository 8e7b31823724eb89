import Canary
import MockProvider
import Testing
import Upstream

/// Cost from usage, against figures computed by hand from the default price table.
struct CostTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String
        var prompt: Int
        var cached: Int
        var completion: Int
        var dollars: Double
        var testDescription: String { model }
    }

    /// Hand-computed: (uncached × input + cached × cached-input + completion × output) / 1e6.
    static let cases: [Case] = [
        // gpt-4.1: $2 in, $0.50 cached, $8 out. (800×2 + 200×0.5 + 500×8)/1e6 = 0.0057
        Case(model: "gpt-4.1", prompt: 1_000, cached: 200, completion: 500, dollars: 0.0057),
        // claude-sonnet-4.5: $3 in, $0.30 cached, $15 out. (2,000×3 + 0 + 1,000×15)/1e6 = 0.021
        Case(model: "claude-sonnet-4.5", prompt: 2_000, cached: 0, completion: 1_000, dollars: 0.021),
        // gemini-2.5-flash: $0.30 in, $0.075 cached, $2.50 out. (6,000×0.3 + 4,000×0.075 + 2,000×2.5)/1e6 = 0.0071
        Case(model: "gemini-2.5-flash", prompt: 10_000, cached: 4_000, completion: 2_000, dollars: 0.0071),
        // deepseek-v3.2: $0.28 in, $0.028 cached, $0.42 out. (1e6×0.28 + 0 + 1e6×0.42)/1e6 = 0.70
        Case(model: "deepseek-v3.2", prompt: 1_000_000, cached: 0, completion: 1_000_000, dollars: 0.70),
    ]

    @Test(arguments: cases)
    func usageCostMatchesTheHandComputedFigure(c: Case) throws {
        let usage = Usage(promptTokens: c.prompt, completionTokens: c.completion, cachedTokens: c.cached)
        let cost = try #require(usage.cost(model: c.model, prices: .defaults))
        #expect(abs(cost - c.dollars) < 1e-12)
    }

    @Test func datedAndVendorPrefixedModelsFindTheirBasePrice() {
        let usage = Usage(promptTokens: 1_000, completionTokens: 500, cachedTokens: 200)
        #expect(
            usage.cost(model: "gpt-4.1-2025-04-14", prices: .defaults)
                == usage.cost(model: "gpt-4.1", prices: .defaults))
        #expect(
            usage.cost(model: "openai/gpt-4.1", prices: .defaults) == usage.cost(model: "gpt-4.1", prices: .defaults))
        #expect(usage.cost(model: "unpriced-model", prices: .defaults) == nil)
    }

    @Test func policyPricesOverrideTheDefaults() throws {
        let prices = PriceTable.defaults.merging(PriceTable(["gpt-4.1": ModelPrice(inputPerMTok: 1, outputPerMTok: 4)]))
        let usage = Usage(promptTokens: 1_000_000, completionTokens: 1_000_000, cachedTokens: 500_000)
        // No cached price in the override: cached tokens at the input price. 1 + 4 = 5.
        #expect(try #require(usage.cost(model: "gpt-4.1", prices: prices)) == 5)
    }

    /// The mock reports usage; both providers cost complete and streamed answers the same way.
    /// Prompt: "Be brief." + 40 × "x" = 49 characters → 13 tokens; cached fraction 0.5 → 6 cached.
    @Test(arguments: ProviderKind.allCases, cases.map(\.model))
    func costOfCompleteAndStreamedAnswersFromTheMock(kind: ProviderKind, model: String) async throws {
        let scenario = Harness.phase {
            $0.completionTokens = 250
            $0.cachedPromptFraction = 0.5
        }
        try await Harness.withMock(scenario) { _, providers in
            let price = try #require(PriceTable.defaults.price(for: model))
            let expected =
                (7 * price.inputPerMTok + 6 * (price.cachedInputPerMTok ?? price.inputPerMTok)
                    + 250 * price.outputPerMTok) / 1_000_000
            let request = Harness.request(model: model, String(repeating: "x", count: 40))
            let provider = providers.provider(kind)

            let answer = try await provider.complete(request)
            #expect(answer.usage?.promptTokens == 13)
            #expect(answer.usage?.cachedTokens == 6)
            #expect(answer.usage?.completionTokens == 250)
            #expect(abs(try #require(answer.metadata?.cost) - expected) < 1e-12)

            var streamed = request
            streamed.stream = true
            let collected = try await provider.stream(streamed).collect()
            #expect(collected.metadata?.usage?.completionTokens == 250)
            #expect(abs(try #require(collected.metadata?.cost) - expected) < 1e-12)
        }
    }
}
