using Allos.Gateway;
using Allos.IntegrationTests.Logging;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Gateway;

/// <summary>The Router's and provider clients' log lines, over real HTTP to fake provider servers.</summary>
public sealed class RouterLoggingTests : IAsyncLifetime
{
    private const string SecretKey = "sk-router-logging-3f9c1e7a5b";
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];
    private RouterFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await RouterFixture.StartAsync(2);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_TransientFailureThenSuccess_LogsTheRetryWithItsFields()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(500, "The server had an error", "server_error"), FakeTurn.Text("second time lucky"));
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs);
        RouterOptions options = RouterFixture.Options(new ModelGroup("fast", _fx.Deployment(0)));
        options.LoggerFactory = loggers;
        using var router = new Router(options);

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "fast" });

        response.Text.ShouldBe("second time lucky");
        LogEntry retry = logs.Named("RouterRetry").ShouldHaveSingleItem();
        retry.Level.ShouldBe(LogLevel.Warning);
        retry.Category.ShouldBe("Allos.Gateway.Router");
        retry.Fields["Alias"].ShouldBe("fast");
        retry.Fields["Deployment"].ShouldBe("server0");
        retry.Fields["Attempt"].ShouldBe(1);
        retry.Fields["ErrorType"].ShouldBe(nameof(ProviderServerException));
        ((double)retry.Fields["DelayMs"]!).ShouldBeGreaterThan(0);
        retry.Message.ShouldContain("'fast'");
    }

    [Fact]
    public async Task GetResponseAsync_PrimaryFails_LogsTheFallbackAndTheCooldown()
    {
        _fx[0].FallbackTurn = FakeTurn.ProviderError(500, "The server had an error", "server_error");
        _fx[1].Enqueue(FakeTurn.Text("from the fallback"));
        var primary = new ModelGroup("primary", _fx.Deployment(0)) { Fallbacks = { "backup" } };
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs);
        RouterOptions options = RouterFixture.Options(primary, new ModelGroup("backup", _fx.Deployment(1)));
        options.MaxRetries = 0;
        options.CooldownFailures = 1;
        options.LoggerFactory = loggers;
        using var router = new Router(options);

        ChatResponse response = await router.GetResponseAsync(Hello, new ChatOptions { ModelId = "primary" });

        response.Text.ShouldBe("from the fallback");
        logs.Named("RouterRetry").ShouldBeEmpty("MaxRetries is 0");
        LogEntry fallback = logs.Named("RouterFallback").ShouldHaveSingleItem();
        fallback.Fields["Alias"].ShouldBe("primary");
        fallback.Fields["Fallback"].ShouldBe("backup");
        fallback.Fields["FailureKind"].ShouldBe(FailureKind.Transient);
        LogEntry cooldown = logs.Named("RouterCooldown").ShouldHaveSingleItem();
        cooldown.Fields["Deployment"].ShouldBe("server0");
        cooldown.Fields["Alias"].ShouldBe("primary");
        cooldown.Fields["CooldownSeconds"].ShouldBe(options.CooldownDuration.TotalSeconds);
    }

    [Fact]
    public async Task GetResponseAsync_BudgetSpent_LogsTheRefusal()
    {
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs);
        RouterOptions options = RouterFixture.Options(new ModelGroup("fast", _fx.Deployment(0)));
        options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 0m));
        options.LoggerFactory = loggers;
        using var router = new Router(options);

        await Should.ThrowAsync<BudgetExceededException>(() => router.GetResponseAsync(Hello, new ChatOptions { ModelId = "fast" }));

        _fx[0].Requests.Count.ShouldBe(0);
        LogEntry refused = logs.Named("RouterBudgetRefused").ShouldHaveSingleItem();
        refused.Level.ShouldBe(LogLevel.Warning);
        refused.Fields["Alias"].ShouldBe("fast");
        refused.Fields["Scope"].ShouldBe(BudgetScope.Global);
        refused.Fields["Limit"].ShouldBe(0m);
    }

    [Fact]
    public async Task GetResponseAsync_AnyRequest_LogsRequestSentWithHostButNeverTheKeyOrPrompt()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(500, "The server had an error", "server_error"), FakeTurn.Text("ok"));
        var deployment = new Deployment("openai/gpt-4o-mini")
        {
            Name = "keyed",
            ApiKey = SecretKey,
            Endpoint = _fx[0].OpenAIEndpoint,
        };
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs);
        RouterOptions options = RouterFixture.Options(new ModelGroup("fast", deployment));
        options.LoggerFactory = loggers;
        using var router = new Router(options);

        await router.GetResponseAsync([new ChatMessage(ChatRole.User, "my private prompt text")], new ChatOptions { ModelId = "fast" });

        _fx[0].Requests[0].Headers["Authorization"].ShouldContain(SecretKey, Case.Sensitive, "the key did travel, in the header");
        IReadOnlyList<LogEntry> sent = logs.Named("ProviderRequestSent");
        sent.Count.ShouldBe(2, "the failed attempt and the retry");
        sent[0].Level.ShouldBe(LogLevel.Debug);
        sent[0].Fields["Provider"].ShouldBe("openai");
        sent[0].Fields["Model"].ShouldBe("gpt-4o-mini");
        sent[0].Fields["Host"].ShouldBe(_fx[0].OpenAIEndpoint.Host);
        logs.Entries.ShouldNotBeEmpty();
        logs.Entries.ShouldAllBe(entry => !entry.AllText.Contains(SecretKey) && !entry.AllText.Contains("my private prompt text"));
    }
}
