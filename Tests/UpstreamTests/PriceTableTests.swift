import Canary
import Foundation
import ShepherdConfig
import ShepherdTesting
import Testing
import Upstream

struct PriceTableTests {
    @Test(arguments: [
        // model, input tokens, output tokens, cached input, expected dollars (hand-computed)
        ("gpt-4.1", 1_000_000, 1_000_000, 0, 2.00 + 8.00),
        ("claude-sonnet-4.5", 2_000, 1_000, 0, 2_000 * 3.0 / 1e6 + 1_000 * 15.0 / 1e6),
        ("gemini-2.5-flash", 10_000, 4_000, 5_000, 5_000 * 0.30 / 1e6 + 5_000 * 0.075 / 1e6 + 4_000 * 2.50 / 1e6),
        ("deepseek-v3.2", 0, 1_000_000, 0, 0.42),
    ])
    func costFollowsTheTable(model: String, input: Int, output: Int, cached: Int, dollars: Double) throws {
        let cost = try #require(
            PriceTable.defaults.cost(model: model, inputTokens: input, outputTokens: output, cachedInputTokens: cached))
        #expect(abs(cost - dollars) < 1e-12)
    }

    @Test func seedsOutputPricesAreTheDefaults() {
        let table = PriceTable.defaults
        #expect(table.price(for: "gpt-4.1")?.outputPerMTok == 8)
        #expect(table.price(for: "claude-sonnet-4.5")?.outputPerMTok == 15)
        #expect(table.price(for: "gemini-2.5-flash")?.outputPerMTok == 2.5)
        #expect(table.price(for: "deepseek-v3.2")?.outputPerMTok == 0.42)
    }

    @Test func datedAndVendorPrefixedNamesFindTheirBaseModel() {
        let table = PriceTable.defaults
        #expect(table.price(for: "gpt-4.1-2025-04-14") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "openai/gpt-4.1") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "gpt-4.1-mini") == table.price(for: "gpt-4.1"))
        #expect(table.price(for: "llama-3") == nil)
    }

    /// What `policies/default.yaml` says its prices are (moved here from the policy tests when the
    /// list prices moved to Upstream).
    @Test func theDefaultPolicyFileListsTheListPrices() throws {
        #expect(try Repository.policy("default").prices == PriceTable.defaults.prices)
    }

    @Test func customPricesOverrideAndExtendTheBuiltInTable() throws {
        let policy = try RolloutPolicy.parse(
            yaml: "prices:\n  gpt-4.1: { input: 1.2, output: 1.2 }\n  my-model: { input: 0.1, output: 0.2 }\n",
            file: "p.yaml")
        #expect(policy.prices.count == 2, "the policy keeps its own prices only")
        let prices = PriceTable(defaultsOverriddenBy: policy.prices)
        #expect(prices.price(for: "gpt-4.1") == ModelPrice(inputPerMTok: 1.2, outputPerMTok: 1.2))
        #expect(prices.price(for: "my-model")?.outputPerMTok == 0.2)
        #expect(prices.price(for: "deepseek-v3.2") == PriceTable.defaults.price(for: "deepseek-v3.2"))
    }
}
