using System.Text.Json;
using Allos.Models;
using Allos.Providers.Anthropic;
using Allos.Providers.Gemini;
using Allos.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Models;

public sealed class CostCalculatorTests
{
    private static readonly ModelCatalog Catalog = CatalogFixture.Embedded();

    [Fact]
    public void Cost_OpenAIUsageWithCachedInput_PricesTheCachedPartAtTheCachedRate()
    {
        // prompt_tokens includes the cached tokens.
        UsageDetails usage = OpenAIUsage("""
            { "prompt_tokens": 10000, "completion_tokens": 1000, "total_tokens": 11000,
              "prompt_tokens_details": { "cached_tokens": 4000 },
              "completion_tokens_details": { "reasoning_tokens": 0 } }
            """);

        decimal? cost = CostCalculator.Cost(Catalog.Get("openai/gpt-4o"), usage);

        // 6,000 × $2.50 + 4,000 × $1.25 + 1,000 × $10, per million.
        cost.ShouldBe(0.03m);
    }

    [Fact]
    public void Cost_OpenAIReasoningModel_PricesReasoningOnceAsOutput()
    {
        // completion_tokens already includes the reasoning tokens.
        UsageDetails usage = OpenAIUsage("""
            { "prompt_tokens": 2000, "completion_tokens": 3000, "total_tokens": 5000,
              "completion_tokens_details": { "reasoning_tokens": 2500 } }
            """);

        decimal? cost = CostCalculator.Cost(Catalog.Get("o4-mini"), usage);

        // 2,000 × $1.10 + 3,000 × $4.40, per million.
        cost.ShouldBe(0.0154m);
    }

    [Fact]
    public void Cost_AnthropicUsageWithCacheReadAndWrite_PricesEachPartOnce()
    {
        // Anthropic's input_tokens excludes cache reads and writes; the codec adds them into the input count.
        UsageDetails usage = AnthropicUsage("""
            { "input_tokens": 100, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 2000, "output_tokens": 500 }
            """);
        usage.InputTokenCount.ShouldBe(3100);

        decimal? cost = CostCalculator.Cost(Catalog.Get("anthropic/claude-sonnet-4-5-20250929"), usage);

        // 100 × $3 + 2,000 × $0.30 + 1,000 × $3.75 + 500 × $15, per million.
        cost.ShouldBe(0.01215m);
    }

    [Fact]
    public void Cost_AnthropicWebSearches_AreBilledPerThousandOnTopOfTokens()
    {
        UsageDetails usage = AnthropicUsage("""{ "input_tokens": 1000, "output_tokens": 100, "server_tool_use": { "web_search_requests": 3 } }""");
        usage.AdditionalCounts![CostCalculator.WebSearchRequestsKey].ShouldBe(3);

        decimal? cost = CostCalculator.Cost(Catalog.Get("anthropic/claude-sonnet-4-5-20250929"), usage);

        // 1,000 × $3 + 100 × $15 per million, plus 3 searches at $10 per thousand.
        cost.ShouldBe(0.0045m + 0.03m);
        CostCalculator.Cost(Catalog.Get("openai/gpt-4o"), usage).ShouldBe(0.0035m, "a model without a search price bills tokens only");
    }

    [Fact]
    public void Cost_AnthropicWithoutCache_PricesInputAndOutput()
    {
        UsageDetails usage = AnthropicUsage("""{ "input_tokens": 1000000, "output_tokens": 1000000 }""");

        CostCalculator.Cost(Catalog.Get("claude-opus-4-1"), usage).ShouldBe(90m);
    }

    [Fact]
    public void Cost_GeminiUsageWithThoughts_PricesReasoningInsideOutputOnce()
    {
        // candidatesTokenCount excludes thoughts; the codec adds them into the output count.
        UsageDetails usage = GeminiUsage("""
            { "promptTokenCount": 1000, "candidatesTokenCount": 200, "thoughtsTokenCount": 400, "totalTokenCount": 1600 }
            """);
        usage.OutputTokenCount.ShouldBe(600);
        usage.ReasoningTokenCount.ShouldBe(400);

        decimal? cost = CostCalculator.Cost(Catalog.Get("gemini-2.5-flash"), usage);

        // 1,000 × $0.30 + 600 × $2.50, per million.
        cost.ShouldBe(0.0018m);
    }

    [Fact]
    public void Cost_GeminiUsageWithCachedContent_PricesTheCachedPartAtTheCachedRate()
    {
        UsageDetails usage = GeminiUsage("""
            { "promptTokenCount": 10000, "cachedContentTokenCount": 8000, "candidatesTokenCount": 100, "totalTokenCount": 10100 }
            """);

        decimal? cost = CostCalculator.Cost(Catalog.Get("gemini/gemini-2.5-pro"), usage);

        // 2,000 × $1.25 + 8,000 × $0.125 + 100 × $10, per million.
        cost.ShouldBe(0.0045m);
    }

    [Fact]
    public void Cost_DeepSeekCacheHit_PricesHitsAtTheHitRate()
    {
        UsageDetails usage = OpenAIUsage("""
            { "prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
              "prompt_cache_hit_tokens": 600, "prompt_cache_miss_tokens": 400 }
            """);

        decimal? cost = CostCalculator.Cost(Catalog.Get("deepseek/deepseek-chat"), usage);

        // 400 × $0.28 + 600 × $0.028 + 100 × $0.42, per million.
        cost.ShouldBe(0.0001708m);
    }

    [Fact]
    public void Cost_ModelWithoutCachePrices_ChargesCacheReadsAndWritesAtTheInputPrice()
    {
        var model = new ModelInfo("acme/model", 8_192, 1_024) { Pricing = new ModelPricing(2m, 4m) };
        var usage = new UsageDetails
        {
            InputTokenCount = 1_000,
            CachedInputTokenCount = 300,
            OutputTokenCount = 10,
            AdditionalCounts = new() { [CostCalculator.CacheWriteInputTokenCountKey] = 200 },
        };

        CostCalculator.Cost(model, usage).ShouldBe(0.00204m);
    }

    [Fact]
    public void Cost_UnknownPrice_IsNullNeverZero()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 100 };

        CostCalculator.Cost(Catalog.Get("openai/gpt-99"), usage).ShouldBeNull();
        CostCalculator.Cost("acme/unknown-model", usage).ShouldBeNull();
    }

    [Fact]
    public void Cost_NoTokenCountsReported_IsNull()
    {
        CostCalculator.Cost(Catalog.Get("gpt-4o"), new UsageDetails()).ShouldBeNull();
        CostCalculator.Cost(Catalog.Get("ollama/llama3.1"), new UsageDetails()).ShouldBeNull();
    }

    [Fact]
    public void Cost_InputMissingButTotalReported_DerivesInputFromTotal()
    {
        var usage = new UsageDetails { TotalTokenCount = 1_500, OutputTokenCount = 500 };

        // 1,000 × $2.50 + 500 × $10, per million.
        CostCalculator.Cost(Catalog.Get("gpt-4o"), usage).ShouldBe(0.0075m);
    }

    [Fact]
    public void Cost_InconsistentCounts_NeverPricesATokenTwiceOrBelowZero()
    {
        var model = new ModelInfo("acme/model", 8_192, 1_024) { Pricing = new ModelPricing(10m, 0m, 1m, 20m) };
        var usage = new UsageDetails
        {
            InputTokenCount = 100,
            CachedInputTokenCount = 80,
            AdditionalCounts = new() { [CostCalculator.CacheWriteInputTokenCountKey] = 50 },
        };

        // Only 100 input tokens exist: 80 cached and the 20 left counted as writes, none as plain input.
        CostCalculator.Cost(model, usage).ShouldBe((80m * 1m + 20m * 20m) / 1_000_000m);
    }

    [Theory]
    [InlineData("ollama/llama3.1")]
    [InlineData("lmstudio/qwen2.5-7b-instruct")]
    [InlineData("vllm/meta-llama/Llama-3.1-8B-Instruct")]
    public void Cost_LocalProvider_IsZero(string id)
    {
        var usage = new UsageDetails { InputTokenCount = 50_000, OutputTokenCount = 2_000 };

        CostCalculator.Cost(id, usage).ShouldBe(0m);
    }

    [Fact]
    public void Cost_ByModelId_UsesTheDefaultCatalogWithSnapshotLookup()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 0 };

        CostCalculator.Cost("anthropic/claude-haiku-4-5-20251001", usage).ShouldBe(1m);
    }

    private static UsageDetails OpenAIUsage(string usageJson) =>
        OpenAIResponseParser.MapUsage(JsonSerializer.Deserialize($$"""{ "usage": {{usageJson}} }""", OpenAIJsonContext.Default.OpenAIResponse)!.Usage)!;

    private static UsageDetails AnthropicUsage(string usageJson) =>
        AnthropicResponseParser.MapUsage(JsonSerializer.Deserialize($$"""{ "usage": {{usageJson}} }""", AnthropicJsonContext.Default.AnthropicResponse)!.Usage)!;

    private static UsageDetails GeminiUsage(string usageJson) =>
        GeminiResponseParser.MapUsage(JsonSerializer.Deserialize($$"""{ "usageMetadata": {{usageJson}} }""", GeminiJsonContext.Default.GeminiResponse)!.UsageMetadata)!;
}
