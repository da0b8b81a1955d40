using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Allos.Gateway;
using Allos.IntegrationTests.Storage;
using Allos.Prompts;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Allos.Telemetry;
using Allos.Tests.Shared;

namespace Allos.IntegrationTests.Gateway;

public sealed class RouterTelemetryTests : IAsyncLifetime
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];
    private RouterFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await RouterFixture.StartAsync(2);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_WithListeners_EmitsGenAISpanAndMetrics()
    {
        string alias = $"traced-{Guid.NewGuid():N}";
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AllosTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var tokens = new ConcurrentBag<(long Value, string? Type, string? Alias)>();
        var durations = new ConcurrentBag<string?>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AllosTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "gen_ai.client.token.usage")
            {
                tokens.Add((value, Tag(tags, "gen_ai.token.type"), Tag(tags, "allos.gateway.alias")));
            }
        });
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "gen_ai.client.operation.duration")
            {
                durations.Add(Tag(tags, "allos.gateway.alias"));
            }
        });
        meters.Start();
        _fx[0].Enqueue(FakeTurn.ProviderError(500, "oops", "server_error"), FakeTurn.Text("traced").WithUsage(12, 3));
        using var router = new Router(RouterFixture.Options(new ModelGroup(alias, _fx.Deployment(0, name: "primary-east"))));

        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = alias, MaxOutputTokens = 50 });

        Activity span = activities.Where(activity => (string?)activity.GetTagItem("allos.gateway.alias") == alias).ShouldHaveSingleItem();
        span.DisplayName.ShouldBe("chat gpt-4o-mini");
        span.Kind.ShouldBe(ActivityKind.Client);
        span.GetTagItem("gen_ai.operation.name").ShouldBe("chat");
        span.GetTagItem("gen_ai.provider.name").ShouldBe("openai");
        span.GetTagItem("gen_ai.request.model").ShouldBe("gpt-4o-mini");
        span.GetTagItem("gen_ai.request.max_tokens").ShouldBe(50);
        span.GetTagItem("gen_ai.usage.input_tokens").ShouldBe(12L);
        span.GetTagItem("gen_ai.usage.output_tokens").ShouldBe(3L);
        span.GetTagItem("allos.gateway.deployment").ShouldBe("primary-east");
        span.GetTagItem("allos.gateway.retries").ShouldBe(1);
        span.GetTagItem("allos.gateway.fallbacks").ShouldBe(0);
        ((double)span.GetTagItem("allos.cost.usd")!).ShouldBeGreaterThan(0);
        span.Events.ShouldContain(e => e.Name == "allos.gateway.attempt_failed");
        span.Status.ShouldBe(ActivityStatusCode.Unset);

        tokens.Where(t => t.Alias == alias).OrderBy(t => t.Type).Select(t => (t.Value, t.Type)).ShouldBe([(12L, "input"), (3L, "output")]);
        durations.Count(a => a == alias).ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_WithStore_RecordsDeploymentRetriesFallbacksAndCost()
    {
        using var database = new TempDatabase();
        await using SqliteStore store = await database.OpenAsync();
        _fx[0].FallbackTurn = FakeTurn.ProviderError(503, "overloaded", "server_error");
        _fx[1].Enqueue(FakeTurn.Text("from backup").WithUsage(100, 20));
        RouterOptions options = RouterFixture.Options(
            new ModelGroup("main", _fx.Deployment(0, name: "east")) { Fallbacks = { "backup" } },
            new ModelGroup("backup", _fx.Deployment(1, name: "west")));
        options.MaxRetries = 1;
        options.Telemetry = store.Telemetry;
        using var router = new Router(options);

        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "main" }.WithUser("team-a").WithSession("s-1"));
        await store.Telemetry.FlushAsync();

        database.Scalar("SELECT alias || '|' || deployment || '|' || retries || '|' || fallbacks || '|' || user_key || '|' || session_id || '|' || status || '|' || cache_hit FROM model_calls")
            .ShouldBe("main|west|1|1|team-a|s-1|ok|0");
        decimal expected = ((100 * 0.15m) + (20 * 0.60m)) / 1_000_000m;
        (await store.Telemetry.SpentAsync(new SpendQuery { Since = DateTimeOffset.UtcNow.AddHours(-1), UserKey = "team-a" })).ShouldBe(expected);
    }

    [Fact]
    public async Task GetResponseAsync_PromptTaggedRequest_PutsThePromptOnTheSpanAndTheStoredCall()
    {
        using var database = new TempDatabase();
        await using SqliteStore store = await database.OpenAsync();
        string alias = $"prompted-{Guid.NewGuid():N}";
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AllosTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        _fx[0].Enqueue(FakeTurn.Text("reviewed").WithUsage(10, 2));
        RouterOptions options = RouterFixture.Options(new ModelGroup(alias, _fx.Deployment(0)));
        options.Telemetry = store.Telemetry;
        using var router = new Router(options);

        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = alias }.WithPrompt("code_review", 3));
        await store.Telemetry.FlushAsync();

        Activity span = activities.Where(activity => (string?)activity.GetTagItem("allos.gateway.alias") == alias).ShouldHaveSingleItem();
        span.GetTagItem("allos.prompt.name").ShouldBe("code_review");
        span.GetTagItem("allos.prompt.version").ShouldBe(3);
        database.Scalar("SELECT prompt_name || '@' || prompt_version FROM model_calls").ShouldBe("code_review@3");

        // The tag is Allos's own: the provider's request carries no allos.* field.
        _fx[0].Requests[^1].Body.ShouldNotContain("allos.");
    }

    [Fact]
    public async Task Budget_AfterRestart_StartsFromWhatTheStoreRecorded()
    {
        using var database = new TempDatabase();
        _fx[0].FallbackTurn = FakeTurn.Text("paid").WithUsage(5, 1000);
        var budget = new Budget(BudgetScope.Alias, BudgetPeriod.Day, 0.0015m);
        await using (SqliteStore store = await database.OpenAsync())
        {
            RouterOptions options = RouterFixture.Options(new ModelGroup("paid", _fx.Deployment(0)));
            options.Telemetry = store.Telemetry;
            options.Budgets.Add(budget);
            using var router = new Router(options);
            await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 });
            await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 });
            await store.Telemetry.FlushAsync();
        }

        await using (SqliteStore store = await database.OpenAsync())
        {
            RouterOptions options = RouterFixture.Options(new ModelGroup("paid", _fx.Deployment(0)));
            options.Telemetry = store.Telemetry;
            options.Budgets.Add(budget);
            using var router = new Router(options);

            BudgetExceededException error = await Should.ThrowAsync<BudgetExceededException>(
                () => router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 }));
            error.Spent.ShouldBe(2 * ((5 * 0.15m) + (1000 * 0.60m)) / 1_000_000m);
        }

        _fx[0].Requests.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "openai")]
    [InlineData("gemini/gemini-2.5-flash", "gcp.gemini")]
    [InlineData("azure/my-gpt4o-deployment", "azure.ai.openai")]
    [InlineData("ollama/llama3.2", "ollama")]
    [InlineData("anthropic/claude-sonnet-4-5", "anthropic")]
    [InlineData("xai/grok-4", "x_ai")]
    [InlineData("mistral/mistral-small-latest", "mistral_ai")]
    [InlineData("openrouter/openai/gpt-4o-mini", "openrouter")]
    public async Task GetResponseAsync_EachProvider_SpanCarriesTheConventionsProviderNameAndTheServer(string model, string expected)
    {
        string alias = $"traced-{Guid.NewGuid():N}";
        var activities = new ConcurrentBag<Activity>();
        using ActivityListener listener = Listen(activities);
        var providers = new ConcurrentBag<(string? Provider, string? Address, string? Port)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AllosTelemetry.MeterName && instrument.Name == "gen_ai.client.operation.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            if (Tag(tags, "allos.gateway.alias") == alias)
            {
                providers.Add((Tag(tags, "gen_ai.provider.name"), Tag(tags, "server.address"), Tag(tags, "server.port")));
            }
        });
        meters.Start();
        _fx[0].Enqueue(FakeTurn.Text("traced"));
        using var router = new Router(RouterFixture.Options(new ModelGroup(alias, _fx.Deployment(0, model))));

        (await router.GetResponseAsync(Hello, new ChatOptions { ModelId = alias })).Text.ShouldBe("traced");

        Activity span = activities.Where(activity => (string?)activity.GetTagItem("allos.gateway.alias") == alias).ShouldHaveSingleItem();
        span.GetTagItem("gen_ai.provider.name").ShouldBe(expected);
        span.GetTagItem("server.address").ShouldBe("127.0.0.1");
        span.GetTagItem("server.port").ShouldBe(_fx[0].BaseUri.Port);
        providers.ShouldHaveSingleItem().ShouldBe((expected, "127.0.0.1", _fx[0].BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("https://llm.example.com/v1", "llm.example.com", 443)]
    [InlineData("http://gateway.internal/v1", "gateway.internal", 80)]
    [InlineData("http://[::1]:8080/v1", "::1", 8080)]
    public async Task GetResponseAsync_ClientReportsItsEndpoint_SpanCarriesItsHostAndPortOrTheSchemesDefault(string endpoint, string address, int port)
    {
        string alias = $"traced-{Guid.NewGuid():N}";
        var activities = new ConcurrentBag<Activity>();
        using ActivityListener listener = Listen(activities);
        var client = new EndpointClient(TestChatClient.Answering("answer"), new ChatClientMetadata("azure", new Uri(endpoint), "gpt-4o"));
        using var router = new Router(RouterFixture.Options(new ModelGroup(alias, new Deployment("azure/gpt-4o") { Client = client })));

        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = alias });

        Activity span = activities.Where(activity => (string?)activity.GetTagItem("allos.gateway.alias") == alias).ShouldHaveSingleItem();
        span.GetTagItem("gen_ai.provider.name").ShouldBe("azure.ai.openai");
        span.GetTagItem("server.address").ShouldBe(address);
        span.GetTagItem("server.port").ShouldBe(port);
    }

    private static ActivityListener Listen(ConcurrentBag<Activity> activities)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AllosTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    /// <summary>A client that reports an endpoint of its own, as an SDK adapter or a user's client does.</summary>
    private sealed class EndpointClient(IChatClient inner, ChatClientMetadata metadata) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata : base.GetService(serviceType, serviceKey);
    }
}
