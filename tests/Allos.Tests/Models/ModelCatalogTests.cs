using System.Globalization;
using Allos.Models;

namespace Allos.Tests.Models;

public sealed class ModelCatalogTests
{
    [Theory]
    [InlineData("openai/gpt-4o", "openai/gpt-4o")]
    [InlineData("OpenAI/GPT-4o", "openai/gpt-4o")]
    [InlineData("  anthropic/claude-sonnet-4-5 ", "anthropic/claude-sonnet-4-5")]
    [InlineData("gemini/gemini-2.5-flash-lite", "gemini/gemini-2.5-flash-lite")]
    public void Find_ExactId_ReturnsThatEntry(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Theory]
    [InlineData("cohere/command-a-03-2025", 256_000, 8_000, "2.5", "10")]
    [InlineData("cohere/command-r-plus-08-2024", 128_000, 4_000, "2.5", "10")]
    [InlineData("cohere/command-r-08-2024", 128_000, 4_000, "0.15", "0.6")]
    [InlineData("cohere/command-r7b-12-2024", 128_000, 4_000, "0.0375", "0.15")]
    [InlineData("vertex/gemini-2.5-pro", 1_048_576, 65_536, "1.25", "10")]
    [InlineData("vertex/gemini-2.5-flash", 1_048_576, 65_536, "0.3", "2.5")]
    [InlineData("vertex/claude-sonnet-4@20250514", 200_000, 64_000, "3", "15")]
    [InlineData("vertex/claude-opus-4-1@20250805", 200_000, 32_000, "15", "75")]
    [InlineData("vertex/claude-3-5-haiku@20241022", 200_000, 8_192, "0.8", "4")]
    [InlineData("bedrock/anthropic.claude-sonnet-4-20250514-v1:0", 200_000, 64_000, "3", "15")]
    [InlineData("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", 200_000, 64_000, "3", "15")]
    [InlineData("bedrock/amazon.nova-pro-v1:0", 300_000, 5_000, "0.8", "3.2")]
    [InlineData("bedrock/amazon.nova-lite-v1:0", 300_000, 5_000, "0.06", "0.24")]
    [InlineData("bedrock/meta.llama3-3-70b-instruct-v1:0", 128_000, 8_192, "0.72", "0.72")]
    public void Find_ProviderModel_HasWindowAndPrices(string id, int window, int output, string input, string outputPrice)
    {
        ModelInfo model = CatalogFixture.Embedded().Find(id).ShouldNotBeNull();

        model.ContextWindow.ShouldBe(window);
        model.MaxOutputTokens.ShouldBe(output);
        model.Pricing!.Input.ShouldBe(decimal.Parse(input, CultureInfo.InvariantCulture));
        model.Pricing.Output.ShouldBe(decimal.Parse(outputPrice, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("gpt-4o", "openai/gpt-4o")]
    [InlineData("o4-mini", "openai/o4-mini")]
    [InlineData("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5")]
    [InlineData("gemini-2.5-pro", "gemini/gemini-2.5-pro")]
    public void Find_BareName_ResolvesProviderLikeTheRegistry(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("anthropic/claude-sonnet-4-20250514", "anthropic/claude-sonnet-4")]
    [InlineData("anthropic/claude-opus-4-1-20250805", "anthropic/claude-opus-4-1")]
    [InlineData("claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku")]
    [InlineData("claude-3-5-haiku-20241022", "anthropic/claude-3-5-haiku")]
    [InlineData("openai/gpt-4o-2024-08-06", "openai/gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini")]
    [InlineData("gpt-4.1-nano-2025-04-14", "openai/gpt-4.1-nano")]
    [InlineData("o3-2025-04-16", "openai/o3")]
    [InlineData("gemini-2.5-flash-preview-09-2025", "gemini/gemini-2.5-flash")]
    [InlineData("gemini-2.5-flash-lite-preview-06-17", "gemini/gemini-2.5-flash-lite")]
    [InlineData("gemini-2.0-flash-001", "gemini/gemini-2.0-flash")]
    [InlineData("xai/grok-4-0709", "xai/grok-4")]
    public void Find_SnapshotOrSuffix_FallsBackToLongestListedPrefix(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Theory]
    [InlineData("gpt-4o-mini", "openai/gpt-4o-mini")]
    [InlineData("gpt-4.1-mini", "openai/gpt-4.1-mini")]
    [InlineData("gpt-5-nano", "openai/gpt-5-nano")]
    [InlineData("o3-mini", "openai/o3-mini")]
    public void Find_SmallerSibling_IsNotTheLargerModel(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Fact]
    public void Find_MiniModelNotListed_DoesNotFallBackToTheLargerModel()
    {
        var catalog = new ModelCatalog([new ModelInfo("openai/gpt-4o", 128_000, 16_384)], CatalogFixture.Registry());

        catalog.Find("openai/gpt-4o-mini").ShouldBeNull();
        catalog.Find("openai/gpt-4o-2024-08-06").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("openai/gpt-5-pro")]
    [InlineData("openai/o3-pro")]
    [InlineData("openai/gpt-4o-audio-preview")]
    [InlineData("gemini/gemini-2.5-flash-image")]
    [InlineData("anthropic/claude-sonnet-4-7")]
    [InlineData("openai/gpt-4o2")]
    public void Find_OtherModelNamedAfterAListedOne_IsNotMatched(string id)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id).ShouldBeNull();
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-0", "anthropic/claude-sonnet-4")]
    [InlineData("claude-opus-4-0", "anthropic/claude-opus-4")]
    [InlineData("xai/grok-4-latest", "xai/grok-4")]
    public void Find_Alias_ReturnsTheAliasedEntry(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Theory]
    [InlineData("openrouter/anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5")]
    [InlineData("openrouter/anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4-5")]
    [InlineData("openrouter/openai/gpt-4o-mini", "openai/gpt-4o-mini")]
    [InlineData("openrouter/google/gemini-2.5-pro", "gemini/gemini-2.5-pro")]
    [InlineData("openrouter/x-ai/grok-4", "xai/grok-4")]
    public void Find_HostedVendorModel_ResolvesThroughTheInnerId(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Fact]
    public void Find_HostEntryListed_WinsOverTheInnerId()
    {
        ModelCatalog catalog = CatalogFixture.Embedded();
        catalog.Add(new ModelInfo("openrouter/openai/gpt-4o", 128_000, 16_384) { Pricing = new ModelPricing(9m, 9m) });

        catalog.Find("openrouter/openai/gpt-4o")!.Pricing!.Input.ShouldBe(9m);
        catalog.Find("openai/gpt-4o")!.Pricing!.Input.ShouldBe(2.5m);
    }

    [Theory]
    [InlineData("deepseek-chat", "deepseek/deepseek-chat")]
    [InlineData("deepseek-reasoner", "deepseek/deepseek-reasoner")]
    [InlineData("llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile")]
    [InlineData("mistral-small-latest", "mistral/mistral-small-latest")]
    public void Find_BareNameNoPrefixGivesAway_ResolvesToTheOneListedModelOfThatName(string id, string expected)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id)!.Id.ShouldBe(expected);
    }

    [Fact]
    public void Find_BareNameListedAtTwoProviders_IsAmbiguousAndNotFound()
    {
        var catalog = new ModelCatalog(
            [new ModelInfo("groq/shared-model", 8_192, 1_024), new ModelInfo("together/shared-model", 8_192, 1_024)],
            CatalogFixture.Registry());

        catalog.Find("shared-model").ShouldBeNull();
    }

    [Fact]
    public void Find_AiProviderRoutesBareName_DoesNotGuessAnotherProvider()
    {
        ModelCatalog catalog = CatalogFixture.Embedded(CatalogFixture.Registry(("AI_PROVIDER", "ollama")));

        catalog.Find("deepseek-chat").ShouldBeNull();
        catalog.Get("deepseek-chat").Id.ShouldBe("ollama/deepseek-chat");
    }

    [Theory]
    [InlineData("nosuchprovider/gpt-4o")]
    [InlineData("openai/gpt-99")]
    [InlineData("mystery-model")]
    [InlineData("")]
    public void Find_UnlistedModel_ReturnsNull(string id)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Find(id).ShouldBeNull();
    }

    [Fact]
    public void Get_UnknownModel_IsFlaggedWithConservativeDefaultsAndNoPrice()
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        ModelInfo model = catalog.Get("openai/gpt-99");

        model.IsKnown.ShouldBeFalse();
        model.Id.ShouldBe("openai/gpt-99");
        model.Provider.ShouldBe("openai");
        model.Model.ShouldBe("gpt-99");
        model.ContextWindow.ShouldBe(ModelCatalog.UnknownContextWindow);
        model.ContextWindow.ShouldBe(16_384);
        model.MaxOutputTokens.ShouldBe(4_096);
        model.Pricing.ShouldBeNull();
        model.Capabilities.ShouldBe(ModelCapabilities.None);
        CostCalculator.Cost(model, new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 100 }).ShouldBeNull();
    }

    [Theory]
    [InlineData("mystery-model", "", "mystery-model")]
    [InlineData("acme/model-x", "acme", "model-x")]
    public void Get_UnresolvableId_KeepsTheIdAndIsUnknown(string id, string provider, string model)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        ModelInfo info = catalog.Get(id);

        info.IsKnown.ShouldBeFalse();
        info.Id.ShouldBe(id);
        info.Provider.ShouldBe(provider);
        info.Model.ShouldBe(model);
        info.Pricing.ShouldBeNull();
    }

    [Fact]
    public void Get_KnownModel_IsTheCatalogEntry()
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        ModelInfo model = catalog.Get("claude-sonnet-4-5-20250929");

        model.IsKnown.ShouldBeTrue();
        model.Id.ShouldBe("anthropic/claude-sonnet-4-5");
        model.ContextWindow.ShouldBe(200_000);
        model.Pricing.ShouldBe(new ModelPricing(3m, 15m, 0.3m, 3.75m) { WebSearches = 10m });
        model.Capabilities.Tools.ShouldBeTrue();
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5", true)]
    [InlineData("anthropic/claude-haiku-4-5", true)]
    [InlineData("anthropic/claude-opus-4-5", true)]
    [InlineData("anthropic/claude-sonnet-5-5", true)]
    [InlineData("anthropic/claude-opus-4-1", false)]
    [InlineData("anthropic/claude-opus-4", false)]
    [InlineData("anthropic/claude-sonnet-4", false)]
    [InlineData("anthropic/claude-3-7-sonnet", false)]
    [InlineData("anthropic/claude-3-5-haiku", false)]
    [InlineData("openai/gpt-4o", true)]
    [InlineData("gemini/gemini-2.5-flash", true)]
    public void Find_EmbeddedModel_SaysWhetherJsonSchemaIsNative(string id, bool native)
    {
        ModelCapabilities capabilities = CatalogFixture.Embedded().Find(id)!.Capabilities;

        capabilities.JsonSchema.ShouldBeTrue();
        capabilities.NativeJsonSchema.ShouldBe(native);
    }

    [Fact]
    public void LoadJson_NativeJsonSchemaAbsent_FollowsJsonSchema()
    {
        ModelCatalog catalog = ModelCatalog.LoadJson("""
            {"models":[
              {"id":"x/a","context_window":1000,"max_output_tokens":100,"capabilities":{"json_schema":true}},
              {"id":"x/b","context_window":1000,"max_output_tokens":100,"capabilities":{"json_schema":true,"native_json_schema":false}},
              {"id":"x/c","context_window":1000,"max_output_tokens":100,"capabilities":{"tools":true}}]}
            """);

        catalog.Find("x/a")!.Capabilities.NativeJsonSchema.ShouldBeTrue();
        catalog.Find("x/b")!.Capabilities.NativeJsonSchema.ShouldBeFalse();
        catalog.Find("x/c")!.Capabilities.NativeJsonSchema.ShouldBeFalse();
        new ModelCapabilities(JsonSchema: true).NativeJsonSchema.ShouldBeTrue();
    }

    [Theory]
    [InlineData("ollama/llama3.1")]
    [InlineData("lmstudio/qwen2.5-7b-instruct")]
    [InlineData("vllm/meta-llama/Llama-3.1-8B-Instruct")]
    [InlineData("OLLAMA/gpt-oss:20b")]
    public void Get_LocalProvider_CostsNothingButKeepsUnknownLimits(string id)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        ModelInfo model = catalog.Get(id);

        model.Pricing.ShouldBe(ModelPricing.Free);
        model.IsKnown.ShouldBeFalse();
        model.ContextWindow.ShouldBe(ModelCatalog.UnknownContextWindow);
    }

    [Fact]
    public void Get_LocalModelAddedWithoutPrice_IsFreeWithItsOwnLimits()
    {
        ModelCatalog catalog = CatalogFixture.Embedded();
        catalog.Add(new ModelInfo("ollama/llama3.1", 131_072, 8_192));

        ModelInfo model = catalog.Get("ollama/llama3.1");

        model.IsKnown.ShouldBeTrue();
        model.ContextWindow.ShouldBe(131_072);
        model.Pricing.ShouldBe(ModelPricing.Free);
    }

    [Fact]
    public void Get_BareNameSentToLocalProviderByAiProvider_IsFree()
    {
        ModelCatalog catalog = CatalogFixture.Embedded(CatalogFixture.Registry(("AI_PROVIDER", "ollama")));

        catalog.Get("llama3.1").Pricing.ShouldBe(ModelPricing.Free);
    }

    [Fact]
    public void Add_UserEntry_OverridesTheBuiltInEntry()
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        catalog.Add(new ModelInfo("openai/gpt-4o", 64_000, 4_000) { Pricing = new ModelPricing(1m, 2m) });

        ModelInfo model = catalog.Get("gpt-4o-2024-08-06");
        model.ContextWindow.ShouldBe(64_000);
        model.Pricing!.Input.ShouldBe(1m);
        model.Pricing.CachedInput.ShouldBeNull();
    }

    [Fact]
    public void With_UserEntries_OverrideInTheNewCatalogOnly()
    {
        ModelCatalog original = CatalogFixture.Embedded();

        ModelCatalog extended = original.With(
        [
            new ModelInfo("anthropic/claude-sonnet-4-5", 1_000_000, 64_000) { Pricing = new ModelPricing(6m, 22.5m) },
            new ModelInfo("acme/model-x", 32_768, 8_192) { Pricing = new ModelPricing(1m, 1m) },
        ]);

        extended.Get("claude-sonnet-4-5").ContextWindow.ShouldBe(1_000_000);
        extended.Get("acme/model-x").IsKnown.ShouldBeTrue();
        extended.PricesAsOf.ShouldBe(original.PricesAsOf);
        original.Get("claude-sonnet-4-5").ContextWindow.ShouldBe(200_000);
        original.Find("acme/model-x").ShouldBeNull();
    }

    [Fact]
    public void LoadJson_UserCatalogMergedOverBuiltIns_UserEntriesWin()
    {
        const string json = """
            {
              // comments are allowed in user catalogs
              "models": [
                { "id": "openai/gpt-4o", "context_window": 128000, "max_output_tokens": 16384,
                  "pricing": { "input": 2.75, "output": 11, "cached_input": 1.375 } },
                { "id": "azure/my-deployment", "context_window": 128000, "max_output_tokens": 16384,
                  "pricing": { "input": 2.5, "output": 10 },
                  "capabilities": { "tools": true, "vision": true },
                  "aliases": ["my-deployment-eu"] },
              ]
            }
            """;

        ModelCatalog merged = CatalogFixture.Embedded().With(ModelCatalog.LoadJson(json).Models);

        merged.Get("openai/gpt-4o").Pricing!.Input.ShouldBe(2.75m);
        merged.Get("azure/my-deployment-eu").Id.ShouldBe("azure/my-deployment");
        merged.Get("azure/my-deployment").Capabilities.ShouldBe(new ModelCapabilities(Tools: true, Vision: true));
        merged.Get("openai/gpt-4o-mini").Pricing!.Input.ShouldBe(0.15m);
    }

    [Theory]
    [InlineData("""{ "models": [ { "id": "gpt-4o", "context_window": 1000, "max_output_tokens": 100 } ] }""", "provider/model")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 0, "max_output_tokens": 100 } ] }""", "models[0]")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": -1 } ] }""", "models[0]")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": 2000 } ] }""", "context window")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": 100, "pricing": { "input": -1, "output": 1 } } ] }""", "models[0]")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": 100, "pricing": { "input": 1, "output": 1, "cached_input": -0.5 } } ] }""", "negative")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_windw": 1000, "max_output_tokens": 100 } ] }""", "context_windw")]
    [InlineData("""{ "models": [ { "id": "a/b", "max_output_tokens": 100 } ] }""", "context_window")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": 100, "aliases": ["x/c"] } ] }""", "alias")]
    [InlineData("""{ "models": [ { "id": "a/b", "context_window": 1000, "max_output_tokens": 100 }, { "id": "A/b", "context_window": 1000, "max_output_tokens": 100 } ] }""", "twice")]
    [InlineData("""{ "models": [ """, "not valid")]
    [InlineData("null", "empty")]
    public void LoadJson_InvalidCatalog_ThrowsConfigurationExceptionSayingWhy(string json, string expected)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => ModelCatalog.LoadJson(json));

        error.Message.ShouldContain(expected, Case.Insensitive);
    }

    [Fact]
    public void Add_ModelWritingMoreThanItsWindow_IsRefused()
    {
        var catalog = new ModelCatalog();

        Should.Throw<ArgumentException>(() => catalog.Add(new ModelInfo("a/b", 1_000, 2_000)));
        catalog.Models.ShouldBeEmpty();
    }

    [Fact]
    public void Default_IsTheEmbeddedCatalog()
    {
        ModelCatalog.Default.ShouldBeSameAs(ModelCatalog.Default);
        ModelCatalog.Default.Models.Count.ShouldBe(CatalogFixture.Embedded().Models.Count);
        ModelCatalog.Default.Find("openai/gpt-4o").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("openai/gpt-4o")]
    [InlineData("openai/gpt-4o-mini")]
    [InlineData("openai/gpt-4.1")]
    [InlineData("openai/gpt-4.1-mini")]
    [InlineData("openai/gpt-4.1-nano")]
    [InlineData("openai/o3")]
    [InlineData("openai/o4-mini")]
    [InlineData("openai/gpt-5")]
    [InlineData("openai/gpt-5-mini")]
    [InlineData("anthropic/claude-opus-4-1")]
    [InlineData("anthropic/claude-sonnet-4-5")]
    [InlineData("anthropic/claude-sonnet-4")]
    [InlineData("anthropic/claude-haiku-4-5")]
    [InlineData("anthropic/claude-3-5-haiku")]
    [InlineData("gemini/gemini-2.5-pro")]
    [InlineData("gemini/gemini-2.5-flash")]
    [InlineData("gemini/gemini-2.5-flash-lite")]
    [InlineData("deepseek/deepseek-chat")]
    [InlineData("deepseek/deepseek-reasoner")]
    [InlineData("groq/llama-3.3-70b-versatile")]
    [InlineData("mistral/mistral-large-latest")]
    [InlineData("mistral/mistral-small-latest")]
    [InlineData("xai/grok-4")]
    public void EmbeddedCatalog_ListsEachMajorModelWithAPrice(string id)
    {
        ModelCatalog catalog = CatalogFixture.Embedded();

        ModelInfo model = catalog.Find(id).ShouldNotBeNull();
        model.Id.ShouldBe(id);
        model.IsKnown.ShouldBeTrue();
        model.Pricing.ShouldNotBeNull();
        model.Pricing.Output.ShouldBeGreaterThan(0m);
    }

    [Fact]
    public void EmbeddedCatalog_EveryEntryHasPositiveLimitsAndConsistentPrices()
    {
        IReadOnlyList<ModelInfo> models = CatalogFixture.Embedded().Models;

        models.Count.ShouldBeGreaterThanOrEqualTo(23);
        foreach (ModelInfo model in models)
        {
            model.ContextWindow.ShouldBeGreaterThan(0, model.Id);
            model.MaxOutputTokens.ShouldBeGreaterThan(0, model.Id);
            model.MaxOutputTokens.ShouldBeLessThanOrEqualTo(model.ContextWindow, model.Id);
            ModelPricing price = model.Pricing.ShouldNotBeNull(model.Id);
            price.Input.ShouldBeGreaterThanOrEqualTo(0m, model.Id);
            price.Output.ShouldBeGreaterThanOrEqualTo(0m, model.Id);
            (price.CachedInput ?? 0m).ShouldBeInRange(0m, price.Input, model.Id);
            (price.CacheWrite ?? price.Input).ShouldBeGreaterThanOrEqualTo(price.Input, model.Id);
            ModelCatalog.LocalProviders.ShouldNotContain(model.Provider, model.Id);
        }
    }

    [Theory]
    [InlineData("openai/text-embedding-3-small", 0.02)]
    [InlineData("openai/text-embedding-3-large", 0.13)]
    [InlineData("openai/text-embedding-ada-002", 0.10)]
    [InlineData("gemini/gemini-embedding-001", 0.15)]
    [InlineData("gemini/text-embedding-004", 0)]
    [InlineData("ollama/nomic-embed-text", 0)]
    public void EmbeddedCatalog_EmbeddingModel_IsPricedByInput(string id, double inputPrice)
    {
        ModelInfo model = CatalogFixture.Embedded().Get(id);

        model.Pricing.ShouldNotBeNull().Input.ShouldBe((decimal)inputPrice);
        CostCalculator.Cost(model, new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 2_000_000 }).ShouldBe(2 * (decimal)inputPrice);
        if (model.IsKnown)
        {
            model.Capabilities.Embeddings.ShouldBeTrue();
        }
    }

    [Fact]
    public void EmbeddedCatalog_SaysWhenItsPricesWereTaken()
    {
        string asOf = CatalogFixture.Embedded().PricesAsOf.ShouldNotBeNull();

        DateOnly.ParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture).Year.ShouldBeGreaterThanOrEqualTo(2025);
    }

    [Fact]
    public void EmbeddedCatalog_AnthropicModelsPriceCacheWritesAndReads()
    {
        foreach (ModelInfo model in CatalogFixture.Embedded().Models.Where(model => model.Provider == "anthropic"))
        {
            model.Pricing!.CacheWrite.ShouldBe(model.Pricing.Input * 1.25m, model.Id);

            // Cache hits cost 10 % of input, except the 5.5 generation's Sonnet and Opus (5 %, Anthropic's pricing page).
            decimal hitRate = model.Model is "claude-sonnet-5-5" or "claude-opus-5-5" ? 0.05m : 0.1m;
            model.Pricing.CachedInput.ShouldBe(model.Pricing.Input * hitRate, model.Id);
        }
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-5-5", 2.0, 10.0, 1_000_000)]
    [InlineData("anthropic/claude-opus-5-5", 4.0, 20.0, 1_000_000)]
    [InlineData("anthropic/claude-haiku-5-5", 0.1, 0.5, 1_000_000)]
    public void EmbeddedCatalog_CurrentClaudeModels_AreListed(string id, double input, double output, int window)
    {
        ModelInfo model = CatalogFixture.Embedded().Find(id).ShouldNotBeNull();
        model.Pricing!.Input.ShouldBe((decimal)input);
        model.Pricing.Output.ShouldBe((decimal)output);
        model.ContextWindow.ShouldBe(window);
    }
}
