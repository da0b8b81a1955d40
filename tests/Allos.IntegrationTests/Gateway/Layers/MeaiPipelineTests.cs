using System.Diagnostics;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.Models;
using Allos.Storage;
using Allos.Tests.Shared;

namespace Allos.IntegrationTests.Gateway.Layers;

/// <summary>
/// Microsoft.Extensions.AI's own layers (function invocation, OpenTelemetry) composed with Allos's (recording, cache,
/// budgets, retries) in one <see cref="ChatClientBuilder"/>, over a real provider client talking HTTP to the fake server.
/// </summary>
public sealed class MeaiPipelineTests
{
    // One price for every model, so each format's costs are the same figures: $1 per million input tokens, $2 output.
    private static readonly ModelPricing Price = new(1m, 2m);

    // Each model call of the run reports 1,000 input and 500 output tokens: $0.002.
    private const decimal CallCost = 0.002m;

    public static TheoryData<string> Models => new()
    {
        "openai/gpt-4o-mini",
        "anthropic/claude-sonnet-4-5",
        "gemini/gemini-2.5-flash",
        "ollama/llama3.1",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Pipeline_FunctionInvocationAndOpenTelemetryOverAllosLayers_RunsTheToolRecordsSpansPricesCachesAndBudgets(string model)
    {
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Paris"}""")).WithUsage(1_000, 500),
            FakeTurn.Text("Sunny in Paris.").WithUsage(1_000, 500));

        string sourceName = $"allos-tests-{Guid.NewGuid():N}";
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        var catalog = new ModelCatalog([new ModelInfo(model, 128_000, 16_384) { Pricing = Price }]);
        var store = new RecordingTelemetryStore();
        var cities = new List<string>();
        AIFunction weather = AIFunctionFactory.Create((string city) => { lock (cities) { cities.Add(city); } return "sunny"; }, "get_weather", "Gets the weather.");

        using IChatClient pipeline = server.CreateClient(model).AsBuilder()
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: sourceName)
            .UseCallRecording(options => { options.Store = store; options.Models = catalog; })
            .UseResponseCache(new MemoryResponseCache())
            .UseBudgets(options =>
            {
                options.Models = catalog;

                // Exactly the two calls of the run: the first call's reservation and the second's fit, nothing after.
                options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 2 * CallCost));
            })
            .UseRetries()
            .Build();
        var options = new ChatOptions { Tools = [weather], MaxOutputTokens = 10 };

        ChatResponse response = await pipeline.GetResponseAsync("What is the weather in Paris?", options);

        // MEAI's function invocation ran the tool between the two model calls, over HTTP.
        response.Text.ShouldBe("Sunny in Paris.");
        cities.ShouldBe(["Paris"]);
        server.Requests.Count.ShouldBe(2);

        // OpenTelemetryChatClient produced a chat span per model call; function invocation, which finds its source, a tool span.
        Activity[] chats = [.. spans.Where(span => (string?)span.GetTagItem("gen_ai.operation.name") == "chat")];
        chats.Length.ShouldBe(2);
        chats.ShouldAllBe(span => Convert.ToInt64(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture) == 1_000);
        spans.ShouldContain(span => (string?)span.GetTagItem("gen_ai.operation.name") == "execute_tool" && (string?)span.GetTagItem("gen_ai.tool.name") == "get_weather");

        // The recording layer priced both calls from their usage and the catalog, and recorded them.
        store.Calls.Count.ShouldBe(2);
        store.Calls.ShouldAllBe(call => call.Cost == CallCost && call.Model == model && call.Status == "ok");

        // The same question again: both model calls come from the cache (free, no request sent), the tool runs again,
        // and the spent budget does not refuse them since the cache sits outside it.
        ChatResponse replay = await pipeline.GetResponseAsync("What is the weather in Paris?", options);
        replay.Text.ShouldBe("Sunny in Paris.");
        cities.Count.ShouldBe(2);
        server.Requests.Count.ShouldBe(2);
        store.Calls.Skip(2).ShouldAllBe(call => call.Cost == 0m);
        store.Calls.Count.ShouldBe(4);

        // A new question needs the provider, and the budget is spent: refused before anything is sent.
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => pipeline.GetResponseAsync("And in Rome?", options));
        refused.Spent.ShouldBe(2 * CallCost);
        server.Requests.Count.ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Pipeline_Streaming_RunsTheToolAndEndsEachModelCallWithItsCost(string model)
    {
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")).WithUsage(1_000, 500),
            FakeTurn.Text("Snow in Oslo.").WithUsage(1_000, 500));
        var catalog = new ModelCatalog([new ModelInfo(model, 128_000, 16_384) { Pricing = Price }]);
        var store = new RecordingTelemetryStore();
        var cities = new List<string>();
        AIFunction weather = AIFunctionFactory.Create((string city) => { lock (cities) { cities.Add(city); } return "snow"; }, "get_weather", "Gets the weather.");
        using IChatClient pipeline = server.CreateClient(model).AsBuilder()
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: $"allos-tests-{Guid.NewGuid():N}")
            .UseCallRecording(options => { options.Store = store; options.Models = catalog; })
            .UseBudgets(options => { options.Models = catalog; options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 1m)); })
            .Build();

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in pipeline.GetStreamingResponseAsync("Weather in Oslo?", new ChatOptions { Tools = [weather], MaxOutputTokens = 10 }))
        {
            updates.Add(update);
        }

        updates.ToChatResponse().Text.ShouldContain("Snow in Oslo.");
        cities.ShouldBe(["Oslo"]);
        updates.Select(ResponseCost.Get).Where(cost => cost is not null).ShouldBe([CallCost, CallCost]);
        store.Calls.Count.ShouldBe(2);
        store.Calls.ShouldAllBe(call => call.Streaming && call.Cost == CallCost);
    }
}
