using Allos.Configuration;
using Allos.Gateway;
using Allos.Storage;
using Allos.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.Gateway;

/// <summary>Fault injection through real HTTP: each deployment is its own fake provider server.</summary>
public sealed class RouterTests : IAsyncLifetime
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];
    private RouterFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await RouterFixture.StartAsync(3);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_429WithRetryAfter_WaitsThatLongThenSucceeds()
    {
        _fx[0].Enqueue(
            FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after-ms", "400"),
            FakeTurn.Text("after the pause"));
        using var router = new Router(RouterFixture.Options(new ModelGroup("fast", _fx.Deployment(0))));

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "fast" });

        response.Text.ShouldBe("after the pause");
        _fx[0].Requests.Count.ShouldBe(2);
        var gap = _fx[0].Requests[1].Time - _fx[0].Requests[0].Time;
        gap.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(350), "the Router honours retry-after instead of its own 5 ms backoff");
    }

    [Fact]
    public async Task GetResponseAsync_TransientFailure_TellsOnRetryTheDelayFromTheRandomizer()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(503, "Service unavailable", "server_error"), FakeTurn.Text("second try"));
        var seen = new List<(int Attempt, TimeSpan Delay, string Error)>();
        RouterOptions options = RouterFixture.Options(new ModelGroup("fast", _fx.Deployment(0)));
        options.RetryDelay = TimeSpan.FromMilliseconds(8);
        options.Randomizer = () => 0.0; // the bottom of the ±25 % jitter
        options.OnRetry = args =>
        {
            seen.Add((args.AttemptNumber, args.Delay, args.Exception.GetType().Name));
            return ValueTask.CompletedTask;
        };
        using var router = new Router(options);

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "fast" });

        response.Text.ShouldBe("second try");
        seen.ShouldBe([(0, TimeSpan.FromMilliseconds(6), nameof(ProviderOverloadedException))]);
    }

    [Fact]
    public async Task GetResponseAsync_Repeated500s_RetriesThenFallbackAnswers()
    {
        _fx[0].FallbackTurn = FakeTurn.ProviderError(500, "The server had an error", "server_error");
        _fx[1].Enqueue(FakeTurn.Text("from the fallback"));
        var primary = new ModelGroup("primary", _fx.Deployment(0)) { Fallbacks = { "backup" } };
        using var router = new Router(RouterFixture.Options(primary, new ModelGroup("backup", _fx.Deployment(1))));

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "primary" });

        response.Text.ShouldBe("from the fallback");
        _fx[0].Requests.Count.ShouldBe(3, "one attempt and MaxRetries (2) retries");
        _fx[1].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_401_IsNotRetried()
    {
        _fx[0].FallbackTurn = FakeTurn.ProviderError(401, "Incorrect API key provided", "invalid_request_error");
        using var router = new Router(RouterFixture.Options(new ModelGroup("fast", _fx.Deployment(0))));

        await Should.ThrowAsync<ProviderAuthenticationException>(() => router.GetResponseAsync(Hello, new ChatOptions { ModelId = "fast" }));

        _fx[0].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_400InvalidRequest_IsRaisedWithoutRetryOrFallback()
    {
        _fx[0].FallbackTurn = FakeTurn.ProviderError(400, "Invalid value for 'temperature'", "invalid_request_error");
        var primary = new ModelGroup("primary", _fx.Deployment(0)) { Fallbacks = { "backup" } };
        using var router = new Router(RouterFixture.Options(primary, new ModelGroup("backup", _fx.Deployment(1))));

        await Should.ThrowAsync<InvalidRequestException>(() => router.GetResponseAsync(Hello, new ChatOptions { ModelId = "primary" }));

        _fx[0].Requests.Count.ShouldBe(1);
        _fx[1].Requests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task GetResponseAsync_ContextLengthError_LargerContextGroupAnswers()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(400, "This model's maximum context length is 128000 tokens.", "context_length_exceeded"));
        _fx[1].Enqueue(FakeTurn.Text("long answer"));
        _fx[2].FallbackTurn = FakeTurn.Text("the generic fallback must not answer");
        var small = new ModelGroup("small", _fx.Deployment(0)) { ContextWindowFallbacks = { "long" }, Fallbacks = { "generic" } };
        using var router = new Router(RouterFixture.Options(
            small, new ModelGroup("long", _fx.Deployment(1, "openai/gpt-4.1")), new ModelGroup("generic", _fx.Deployment(2))));

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "small" });

        response.Text.ShouldBe("long answer");
        _fx[0].Requests.Count.ShouldBe(1, "a context overflow is not retried");
        _fx[1].Requests.ShouldHaveSingleItem().Json.GetProperty("model").GetString().ShouldBe("gpt-4.1");
        _fx[2].Requests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task GetResponseAsync_ContentFiltered_ContentPolicyFallbackAnswers()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(400, "The response was filtered due to the prompt triggering content management policy.", "content_filter"));
        _fx[1].Enqueue(FakeTurn.Text("answered elsewhere"));
        var strict = new ModelGroup("strict", _fx.Deployment(0)) { ContentPolicyFallbacks = { "lenient" } };
        using var router = new Router(RouterFixture.Options(strict, new ModelGroup("lenient", _fx.Deployment(1))));

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "strict" });

        response.Text.ShouldBe("answered elsewhere");
        _fx[0].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_FailingDeployment_IsCooledDownSkippedThenProbed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        _fx[0].FallbackTurn = FakeTurn.ProviderError(503, "Service unavailable", "server_error");
        _fx[1].FallbackTurn = FakeTurn.Text("healthy");
        RouterOptions options = RouterFixture.Options(new ModelGroup("pool", _fx.Deployment(0), _fx.Deployment(1)));
        options.TimeProvider = clock;
        options.CooldownFailures = 3;
        options.CooldownDuration = TimeSpan.FromSeconds(30);
        using var router = new Router(options);
        IChatClient pool = router.For("pool");

        for (int i = 0; i < 3; i++)
        {
            (await pool.GetResponseAsync(Hello)).Text.ShouldBe("healthy");
        }

        _fx[0].Requests.Count.ShouldBe(3, "priority routing tries the first deployment each time until it cools down");
        (await pool.GetResponseAsync(Hello)).Text.ShouldBe("healthy");
        _fx[0].Requests.Count.ShouldBe(3, "a cooled-down deployment is skipped");

        clock.Advance(TimeSpan.FromSeconds(31));
        _fx[0].FallbackTurn = FakeTurn.Text("recovered");
        (await pool.GetResponseAsync(Hello)).Text.ShouldBe("recovered", "after the cooldown one request probes it");
        (await pool.GetResponseAsync(Hello)).Text.ShouldBe("recovered", "a successful probe ends the cooldown");
        _fx[0].Requests.Count.ShouldBe(5);
    }

    [Fact]
    public async Task GetResponseAsync_WeightedShuffle_1000Calls_LandWithinTolerance()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("a");
        _fx[1].FallbackTurn = FakeTurn.Text("b");
        _fx[0].RecordRequests = _fx[1].RecordRequests = false;
        var group = new ModelGroup("mix", _fx.Deployment(0), _fx.Deployment(1))
        {
            Strategy = RoutingStrategy.WeightedShuffle,
        };
        group.Deployments[0] = new Deployment("openai/gpt-4o-mini") { Name = "light", ApiKey = "k", Endpoint = _fx[0].OpenAIEndpoint, Weight = 1 };
        group.Deployments[1] = new Deployment("openai/gpt-4o-mini") { Name = "heavy", ApiKey = "k", Endpoint = _fx[1].OpenAIEndpoint, Weight = 3 };
        using var router = new Router(RouterFixture.Options(group));
        IChatClient mix = router.For("mix");

        int light = 0;
        for (int i = 0; i < 1000; i++)
        {
            if ((await mix.GetResponseAsync(Hello)).Text == "a")
            {
                light++;
            }
        }

        // Expected 250, standard deviation ≈ 13.7: ±70 is five of them.
        light.ShouldBeInRange(180, 320);
    }

    [Fact]
    public async Task GetResponseAsync_RpmLimit_HoldsWith50ConcurrentCallers()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("ok");
        RouterOptions options = RouterFixture.Options(new ModelGroup("limited", _fx.Deployment(0)));
        options.Groups[0].Deployments[0] = new Deployment("openai/gpt-4o-mini") { ApiKey = "k", Endpoint = _fx[0].OpenAIEndpoint, RequestsPerMinute = 10 };
        options.RateLimitQueueTimeout = TimeSpan.Zero;
        using var router = new Router(options);
        IChatClient limited = router.For("limited");

        Task<ChatResponse>[] calls = [.. Enumerable.Range(0, 50).Select(_ => Task.Run(() => limited.GetResponseAsync(Hello)))];
        await Task.WhenAll(calls.Select(call => call.ContinueWith(_ => { }, TaskScheduler.Default)));

        calls.Count(call => call.IsCompletedSuccessfully).ShouldBe(10);
        _fx[0].Requests.Count.ShouldBe(10);
        foreach (Task<ChatResponse> failed in calls.Where(call => call.IsFaulted))
        {
            RateLimitException error = failed.Exception!.InnerException.ShouldBeOfType<RateLimitException>();
            error.ErrorCode.ShouldBe("router_rate_limited");
            error.Message.ShouldContain("10 requests per minute");
            error.RetryAfter.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task GetResponseAsync_RpmLimitWithQueue_CallersWaitForTheNextWindow()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("ok");
        RouterOptions options = RouterFixture.Options(new ModelGroup("limited", _fx.Deployment(0)));
        options.Groups[0].Deployments[0] = new Deployment("openai/gpt-4o-mini") { ApiKey = "k", Endpoint = _fx[0].OpenAIEndpoint, RequestsPerMinute = 4 };
        options.RateLimitWindow = TimeSpan.FromMilliseconds(600);
        options.RateLimitQueueTimeout = TimeSpan.FromSeconds(20);
        using var router = new Router(options);
        IChatClient limited = router.For("limited");

        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => limited.GetResponseAsync(Hello)));

        responses.ShouldAllBe(response => response.Text == "ok");
        DateTimeOffset[] arrivals = [.. _fx[0].Requests.Select(request => request.Time).Order()];
        arrivals.Length.ShouldBe(12);
        for (int i = 4; i < arrivals.Length; i++)
        {
            (arrivals[i] - arrivals[i - 4]).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(450), "no more than 4 requests in any window");
        }
    }

    [Fact]
    public async Task GetResponseAsync_CancelledWhileWaitingForALimit_IsRecordedAsTheModelAskedNotAsARouterModel()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("ok");
        var telemetry = new RecordingTelemetryStore();
        RouterOptions options = RouterFixture.Options(new ModelGroup("limited", _fx.Deployment(0)));
        options.Groups[0].Deployments[0] = new Deployment("openai/gpt-4o-mini") { ApiKey = "k", Endpoint = _fx[0].OpenAIEndpoint, RequestsPerMinute = 1 };
        options.RateLimitQueueTimeout = TimeSpan.FromMinutes(5);
        options.Telemetry = telemetry;
        using var router = new Router(options);
        IChatClient limited = router.For("limited");
        (await limited.GetResponseAsync(Hello)).Text.ShouldBe("ok");

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Should.ThrowAsync<OperationCanceledException>(() => limited.GetResponseAsync(Hello, cancellationToken: cancel.Token));

        ModelCallRecord answered = telemetry.Calls.Single(call => call.Status == "ok");
        ModelCallRecord cancelled = telemetry.Calls.Single(call => call.Status == "cancelled");
        (cancelled.Provider, cancelled.Model, cancelled.Alias).ShouldBe((answered.Provider, answered.Model, "limited"), "attributed as the answered call was");
        cancelled.Provider.ShouldBe("openai");
        _fx[0].Requests.Count.ShouldBe(1, "the second call never reached the provider");
    }

    [Fact]
    public async Task GetResponseAsync_Budget_IsNeverExceededBy100ConcurrentCalls()
    {
        // gpt-4o-mini: $0.15 in / $0.60 out per million tokens; each call reports 5 in and 1,000 out: $0.00060075.
        _fx[0].FallbackTurn = FakeTurn.Text("paid").WithUsage(5, 1000);
        RouterOptions options = RouterFixture.Options(new ModelGroup("paid", _fx.Deployment(0)));
        options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Day, 0.01m));
        using var router = new Router(options);
        IChatClient paid = router.For("paid");
        var chatOptions = new ChatOptions { MaxOutputTokens = 1000 };

        Task<ChatResponse>[] calls = [.. Enumerable.Range(0, 100).Select(_ => Task.Run(() => paid.GetResponseAsync(Hello, chatOptions)))];
        await Task.WhenAll(calls.Select(call => call.ContinueWith(_ => { }, TaskScheduler.Default)));

        int succeeded = calls.Count(call => call.IsCompletedSuccessfully);
        decimal spent = succeeded * ((5 * 0.15m) + (1000 * 0.60m)) / 1_000_000m;
        spent.ShouldBeLessThanOrEqualTo(0.01m);
        succeeded.ShouldBeGreaterThan(0);
        _fx[0].Requests.Count.ShouldBe(succeeded, "a refused call never reaches the provider");
        BudgetExceededException refused = calls.First(call => call.IsFaulted).Exception!.InnerException.ShouldBeOfType<BudgetExceededException>();
        refused.Budget.Limit.ShouldBe(0.01m);
        refused.Message.ShouldContain("global daily budget of $0.01");
        refused.Remaining.ShouldBeLessThan(0.001m);
    }

    [Fact]
    public async Task GetResponseAsync_UserBudget_CountsEachUserSeparately()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("paid").WithUsage(5, 1000);
        RouterOptions options = RouterFixture.Options(new ModelGroup("paid", _fx.Deployment(0)));
        options.Budgets.Add(new Budget(BudgetScope.User, BudgetPeriod.Month, 0.001m));
        using var router = new Router(options);

        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 }.WithUser("alice"));
        BudgetExceededException refused = await Should.ThrowAsync<BudgetExceededException>(
            () => router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 }.WithUser("alice")));
        await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "paid", MaxOutputTokens = 1000 }.WithUser("bob"));

        refused.Key.ShouldBe("alice");
        refused.Message.ShouldContain("user 'alice' monthly budget");
        _fx[0].Requests.Count.ShouldBe(2);
        _fx[0].Requests.ShouldAllBe(request => !request.Body.Contains("allos.", StringComparison.Ordinal), "router keys never reach the provider");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FirstDeploymentFailsBeforeFirstChunk_FallsBack()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(500, "boom", "server_error"));
        _fx[1].Enqueue(FakeTurn.Text("streamed from the fallback"));
        RouterOptions options = RouterFixture.Options(
            new ModelGroup("primary", _fx.Deployment(0)) { Fallbacks = { "backup" } }, new ModelGroup("backup", _fx.Deployment(1)));
        options.MaxRetries = 0;
        using var router = new Router(options);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "primary" }))
        {
            updates.Add(update);
        }

        updates.ToChatResponse().Text.ShouldBe("streamed from the fallback");
        _fx[0].Requests.ShouldHaveSingleItem().Streaming.ShouldBeTrue();
        _fx[1].Requests.ShouldHaveSingleItem().Streaming.ShouldBeTrue();
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnthropicErrorAfterMessageStartBeforeAnyContent_FallsBack()
    {
        // Anthropic sends message_start (its raw event reaches the caller for the gateway) and then overloaded_error: no
        // content was streamed yet, so the request is still the Router's to reroute.
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeTurn.Empty().WithStreamError("Overloaded", "overloaded_error"));
        server.Enqueue(FakeTurn.Text("streamed from the fallback"));
        RouterOptions options = RouterFixture.Options(
            new ModelGroup("primary", new Deployment("anthropic/claude-sonnet-4-5") { ApiKey = "sk-a", Endpoint = server.EndpointFor("anthropic") }) { Fallbacks = { "backup" } },
            new ModelGroup("backup", new Deployment("openai/gpt-4o-mini") { ApiKey = "sk-o", Endpoint = server.EndpointFor("openai") }));
        options.MaxRetries = 0;
        using var router = new Router(options);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "primary" }))
        {
            updates.Add(update);
        }

        updates.ToChatResponse().Text.ShouldBe("streamed from the fallback");
        server.Requests.Select(request => request.Path).ShouldBe(["/v1/messages", "/v1/chat/completions"]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailureAfterFirstChunk_IsRaisedNotRerouted()
    {
        _fx[0].Enqueue(FakeTurn.Text("partial answer that breaks").WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(20)).DropConnectionAfter(3));
        _fx[1].FallbackTurn = FakeTurn.Text("must not be used");
        RouterOptions options = RouterFixture.Options(
            new ModelGroup("primary", _fx.Deployment(0)) { Fallbacks = { "backup" } }, new ModelGroup("backup", _fx.Deployment(1)));
        using var router = new Router(options);

        List<ChatResponseUpdate> updates = [];
        Exception? error = null;
        try
        {
            await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "primary" }))
            {
                updates.Add(update);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        error.ShouldBeOfType<ProviderConnectionException>(string.Join("|", updates.Select(u => u.Text)) + $" / {_fx[0].Requests.Count} / {_fx[1].Requests.Count}");
        updates.ShouldNotBeEmpty();
        _fx[0].Requests.Count.ShouldBe(1);
        _fx[1].Requests.Count.ShouldBe(0, "after the first chunk reached the caller, switching would splice two answers");
    }

    [Fact]
    public async Task GetResponseAsync_PlainModelId_WorksWithoutConfiguration()
    {
        _fx[0].Enqueue(FakeTurn.Text("plain"));
        var providers = new Allos.Providers.ProviderRegistry(name => name == "OPENAI_BASE_URL" ? _fx[0].OpenAIEndpoint.ToString() : name == "OPENAI_API_KEY" ? "sk-env" : null);
        using var router = new Router(new RouterOptions { Providers = providers });

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "openai/gpt-4o-mini", Temperature = 0.2f });

        response.Text.ShouldBe("plain");
        RecordedRequest request = _fx[0].Requests.ShouldHaveSingleItem();
        request.Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
        request.Json.GetProperty("temperature").GetDouble().ShouldBe(0.2, 0.0001);
    }

    [Fact]
    public void Constructor_FallbackToUnknownAlias_NamesIt()
    {
        var group = new ModelGroup("fast", _fx.Deployment(0)) { Fallbacks = { "nowhere" } };

        ConfigurationException error = Should.Throw<ConfigurationException>(() => new Router(RouterFixture.Options(group)));

        error.Message.ShouldContain("'fast' falls back to 'nowhere'");
    }

    [Fact]
    public async Task GetResponseAsync_NoModelNamed_ExplainsWhatToSet()
    {
        using var router = new Router(RouterFixture.Options());

        ConfigurationException error = await Should.ThrowAsync<ConfigurationException>(() => router.GetResponseAsync(Hello));

        error.Message.ShouldContain("RouterOptions.DefaultModel");
    }

    [Fact]
    public async Task GetResponseAsync_RequestTimeout_RaisesTimeoutNamingTheRouter()
    {
        _fx[0].FallbackTurn = FakeTurn.Text("slow").WithChunkDelay(TimeSpan.FromSeconds(5));
        RouterOptions options = RouterFixture.Options(new ModelGroup("slow", _fx.Deployment(0)));
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        using var router = new Router(options);

        ProviderTimeoutException error = await Should.ThrowAsync<ProviderTimeoutException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in router.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "slow" }))
            {
            }
        });

        error.Message.ShouldContain("RequestTimeout");
    }

    [Fact]
    public async Task GetResponseAsync_CacheHit_NeverReachesTheServerAndReturnsTheSameAnswer()
    {
        _fx[0].Enqueue(FakeTurn.Text("cached answer").WithUsage(7, 2), FakeTurn.Text("a second, different answer"));
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", _fx.Deployment(0)) { Cache = true });
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient cached = router.For("cached");

        ChatResponse first = await cached.GetResponseAsync(Hello);
        ChatResponse second = await cached.GetResponseAsync(Hello);
        List<ChatResponseUpdate> replayed = [];
        await foreach (ChatResponseUpdate update in cached.GetStreamingResponseAsync(Hello))
        {
            replayed.Add(update);
        }

        first.Text.ShouldBe("cached answer");
        second.Text.ShouldBe("cached answer");
        second.Usage!.OutputTokenCount.ShouldBe(2);
        replayed.ToChatResponse().Text.ShouldBe("cached answer", "a cached answer to a streaming request is replayed as a stream");
        _fx[0].Requests.Count.ShouldBe(1);
        (await cached.GetResponseAsync([new(ChatRole.User, "Something else")])).Text.ShouldBe("a second, different answer");
    }

    [Fact]
    public async Task BrokenCache_IsAMiss_TheRequestsAreAnsweredByTheServer()
    {
        _fx[0].Enqueue(FakeTurn.Text("whole answer"), FakeTurn.Text("streamed answer"));
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", _fx.Deployment(0)) { Cache = true });
        var cache = new BrokenResponseCache();
        options.Cache = cache;
        using var router = new Router(options);
        IChatClient cached = router.For("cached");

        (await cached.GetResponseAsync(Hello)).Text.ShouldBe("whole answer");
        (await cached.GetStreamingResponseAsync(Hello).ToChatResponseAsync()).Text.ShouldBe("streamed answer");

        _fx[0].Requests.Count.ShouldBe(2);
        cache.Reads.ShouldBe(2);
        cache.Writes.ShouldBe(2, "each answer was offered to the cache, which failed to keep it");
    }

    [Fact]
    public async Task GetResponseAsync_BodyThatIsNotAResponse_IsNeverCachedAndFallsBackWithoutRetry()
    {
        // A 200 with "{}" was a silent empty answer, cached for the next caller.
        _fx[0].Enqueue(FakeTurn.Raw("application/json", "{}"), FakeTurn.Text("the real answer"));
        _fx[1].Enqueue(FakeTurn.Text("from the fallback"));
        var primary = new ModelGroup("primary", _fx.Deployment(0)) { Cache = true, Fallbacks = { "backup" } };
        RouterOptions options = RouterFixture.Options(primary, new ModelGroup("backup", _fx.Deployment(1)));
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient chat = router.For("primary");

        (await chat.GetResponseAsync(Hello)).Text.ShouldBe("from the fallback");
        _fx[0].Requests.Count.ShouldBe(1, "a body that is not a response is not retried on the same deployment");
        _fx[1].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_BodyThatIsNotAResponseWithoutFallback_IsRaisedAndNotCached()
    {
        _fx[0].Enqueue(FakeTurn.Raw("application/json", "{}"), FakeTurn.Text("the real answer"));
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", _fx.Deployment(0)) { Cache = true });
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient chat = router.For("cached");

        await Should.ThrowAsync<InvalidResponseException>(() => chat.GetResponseAsync(Hello));
        (await chat.GetResponseAsync(Hello)).Text.ShouldBe("the real answer");
        _fx[0].Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StalledStream_IsRetriedAfterTheDeploymentsIdleTimeout()
    {
        _fx[0].Enqueue(FakeTurn.Text("never finished").StallAfter(1), FakeTurn.Text("second try"));
        Deployment plain = _fx.Deployment(0);
        var deployment = new Deployment(plain.Model) { Name = plain.Name, ApiKey = plain.ApiKey, Endpoint = plain.Endpoint, StreamIdleTimeout = TimeSpan.FromSeconds(1) };
        RouterOptions options = RouterFixture.Options(new ModelGroup("fast", deployment));
        options.StreamIdleTimeout = TimeSpan.FromHours(1); // the deployment's own wins
        using var router = new Router(options);

        ChatResponse response = await router.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "fast" }).ToChatResponseAsync();

        response.Text.ShouldBe("second try");
        _fx[0].Requests.Count.ShouldBe(2);
        _fx[0].Requests[0].ClientDisconnected.ShouldBeTrue("the stalled stream is abandoned, not left open");
    }

    [Fact]
    public async Task GetResponseAsync_Errors_AreNeverCached_AndRequestsCanOptOut()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(400, "bad request", "invalid_request_error"), FakeTurn.Text("fine"), FakeTurn.Text("uncached"));
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", _fx.Deployment(0)) { Cache = true });
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient cached = router.For("cached");

        await Should.ThrowAsync<InvalidRequestException>(() => cached.GetResponseAsync(Hello));
        (await cached.GetResponseAsync(Hello)).Text.ShouldBe("fine");
        (await cached.GetResponseAsync(Hello, new ChatOptions().WithCache(false))).Text.ShouldBe("uncached");
        _fx[0].Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamedAnswer_IsCachedForTheNextCall()
    {
        _fx[0].Enqueue(FakeTurn.Text("streamed then cached"));
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", _fx.Deployment(0)));
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient cached = router.For("cached");
        ChatOptions optIn = new ChatOptions().WithCache();

        await foreach (ChatResponseUpdate _ in cached.GetStreamingResponseAsync(Hello, optIn))
        {
        }

        (await cached.GetResponseAsync(Hello, optIn)).Text.ShouldBe("streamed then cached");
        _fx[0].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetResponseAsync_ApprovalThenRejectionOfTheSameCall_EachReachesTheDeployment()
    {
        var client = TestChatClient.Answering("answer");
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", new Deployment("openai/gpt-4o-mini") { Client = client }) { Cache = true });
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient cached = router.For("cached");
        var call = new FunctionCallContent("call-1", "delete_file", new Dictionary<string, object?> { ["path"] = "a.txt" });
        ChatMessage[] Answer(bool approved) => [.. Hello, new(ChatRole.Assistant, [call]), new(ChatRole.User, [new ToolApprovalResponseContent("req-1", approved, call)])];

        await cached.GetResponseAsync(Answer(approved: true));
        await cached.GetResponseAsync(Answer(approved: false));
        await cached.GetResponseAsync(Answer(approved: true));

        client.Calls.Count.ShouldBe(2, "a rejection is a different request from an approval; repeating the approval is a hit");
    }

    public static readonly TheoryData<string, Type> ForeignFailures = new()
    {
        { "http429", typeof(RateLimitException) },
        { "http401", typeof(ProviderAuthenticationException) },
        { "socket", typeof(ProviderConnectionException) },
        { "timeout", typeof(ProviderTimeoutException) },
        { "other", typeof(ProviderException) },
    };

    [Theory]
    [MemberData(nameof(ForeignFailures))]
    public async Task Call_ClientThatIsNotOursFails_LeavesAsAnAllosExceptionWithTheOriginalInside(string failure, Type expected)
    {
        // An official SDK adapter or a user's client fails with the framework's own types; the Router's callers see Allos's.
        Exception original = failure switch
        {
            "http429" => new HttpRequestException("Too Many Requests", null, System.Net.HttpStatusCode.TooManyRequests),
            "http401" => new HttpRequestException("Unauthorized", null, System.Net.HttpStatusCode.Unauthorized),
            "socket" => new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset),
            "timeout" => new TimeoutException("The SDK gave up."),
            _ => new InvalidOperationException("The SDK's own failure."),
        };
        var client = TestChatClient.Answering("never", fail: () => original);
        var options = RouterFixture.Options(new ModelGroup("foreign", new Deployment("openai/gpt-4o-mini") { Client = client }));
        options.MaxRetries = 0;
        using var router = new Router(options);

        Exception whole = await Should.ThrowAsync<Exception>(() => router.For("foreign").GetResponseAsync(Hello));
        Exception streamed = await Should.ThrowAsync<Exception>(() => router.For("foreign").GetStreamingResponseAsync(Hello).ToListAsync().AsTask());

        foreach (Exception error in (Exception[])[whole, streamed])
        {
            error.GetType().ShouldBe(expected, error.ToString());
            error.InnerException.ShouldBeSameAs(original);
            ((ProviderException)error).Provider.ShouldBe("openai");
        }
    }

    [Fact]
    public async Task GetResponseAsync_ContentUnknownToMicrosoftExtensionsAI_IsNeverCached()
    {
        var client = TestChatClient.Answering("answer");
        RouterOptions options = RouterFixture.Options(new ModelGroup("cached", new Deployment("openai/gpt-4o-mini") { Client = client }) { Cache = true });
        options.Cache = new Allos.Gateway.Caching.MemoryResponseCache();
        using var router = new Router(options);
        IChatClient cached = router.For("cached");

        await cached.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("Hello"), new CustomContent("one")])]);
        await cached.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("Hello"), new CustomContent("two")])]);

        client.Calls.Count.ShouldBe(2);
    }

    [Fact]
    public async Task RouterConfiguration_YamlGroupsAndFallbacks_RouteThroughTheFakeServers()
    {
        _fx[0].FallbackTurn = FakeTurn.ProviderError(529, "Overloaded", "overloaded_error");
        _fx[1].Enqueue(FakeTurn.Text("configured fallback"));
        string yaml = $"""
            default_model: fast
            router:
              retries: 1
              retry_delay: 5ms
            models:
              fast:
                deployments:
                  - model: anthropic/claude-sonnet-4-5
                    api_key: ${"{"}PRIMARY_KEY{"}"}
                    base_url: {_fx[0].BaseUri}
                fallbacks: [backup]
              backup:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: sk-backup
                    base_url: {_fx[1].OpenAIEndpoint}
            """;
        RouterOptions options = RouterConfiguration.LoadYaml(yaml, "allos.yaml", name => name == "PRIMARY_KEY" ? "sk-ant-primary" : null);
        options.Providers = RouterFixture.Providers;
        using var router = new Router(options);

        ChatResponse response = await router.GetResponseAsync(Hello);

        response.Text.ShouldBe("configured fallback");
        _fx[0].Requests.Count.ShouldBe(2);
        _fx[0].Requests[0].Headers["x-api-key"].ShouldBe("sk-ant-primary");
        _fx[1].Requests.ShouldHaveSingleItem().Headers["Authorization"].ShouldBe("Bearer sk-backup");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DeploymentTimeout_CountsAsTransientAndTheNextDeploymentAnswers()
    {
        _fx[0].Enqueue(FakeTurn.Text("too slow").WithChunkDelay(TimeSpan.FromSeconds(5)));
        _fx[1].Enqueue(FakeTurn.Text("in time"));
        Deployment slow = _fx.Deployment(0);
        var group = new ModelGroup("pool", new Deployment(slow.Model) { Name = "slow", ApiKey = "k", Endpoint = slow.Endpoint, Timeout = TimeSpan.FromMilliseconds(300) }, _fx.Deployment(1));
        using var router = new Router(RouterFixture.Options(group));

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in router.For("pool").GetStreamingResponseAsync(Hello))
        {
            updates.Add(update);
        }

        updates.ToChatResponse().Text.ShouldBe("in time");
        _fx[0].Requests.Count.ShouldBe(1);
        _fx[1].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Responses_ReportWhatTheAnsweringDeploymentCost_WholeAndStreamed()
    {
        _fx[0].Enqueue(FakeTurn.Text("whole").WithUsage(1000, 100), FakeTurn.Text("streamed").WithUsage(1000, 100));
        using var router = new Router(RouterFixture.Options(new ModelGroup("g", _fx.Deployment(0))));
        IChatClient group = router.For("g");
        decimal expected = ((1000 * 0.15m) + (100 * 0.60m)) / 1_000_000m;

        ChatResponse whole = await group.GetResponseAsync(Hello);
        ChatResponse streamed = (await group.GetStreamingResponseAsync(Hello).ToListAsync()).ToChatResponse();

        whole.AdditionalProperties![Router.CostProperty].ShouldBe(expected);
        streamed.AdditionalProperties![Router.CostProperty].ShouldBe(expected);
        group.GetService<Allos.Models.ModelInfo>()!.ContextWindow.ShouldBe(128_000);
    }

    private sealed class CustomContent(string value) : AIContent
    {
        public string Value { get; } = value;
    }
}
