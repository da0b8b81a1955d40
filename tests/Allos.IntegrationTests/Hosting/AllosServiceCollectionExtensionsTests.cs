using Allos.Agents;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Hosting;
using Allos.IntegrationTests.Logging;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Allos.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Hosting;

/// <summary>AddAllos in a real container, its models pointed at a fake provider server over HTTP.</summary>
public sealed class AllosServiceCollectionExtensionsTests : IAsyncLifetime
{
    private const string ApiKey = "sk-hosting-test-7c3e9a1f";
    private FakeProviderServer _server = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _folder = Path.Combine(Path.GetTempPath(), "allos-hosting-" + Guid.NewGuid().ToString("N"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddAllos_Configuration_DefaultAndKeyedAliasClientsAnswerThroughTheRouter()
    {
        _server.Enqueue(FakeTurn.Text("from the default"), FakeTurn.Text("from smart"));
        await using ServiceProvider provider = Services().AddAllos(Configuration().GetSection("Allos")).BuildServiceProvider();

        ChatResponse first = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hi");
        ChatResponse second = await provider.GetRequiredKeyedService<IChatClient>("smart").GetResponseAsync("Hi");

        first.Text.ShouldBe("from the default");
        second.Text.ShouldBe("from smart");
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[0].Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
        _server.Requests[1].Json.GetProperty("model").GetString().ShouldBe("gpt-4.1");
        _server.Requests[0].Headers["Authorization"].ShouldBe("Bearer " + ApiKey);
        provider.GetRequiredService<Router>().Aliases.ShouldBe(["fast", "smart"], ignoreOrder: true);
        provider.GetRequiredService<AllosOptions>().DefaultModel.ShouldBe("fast");
    }

    [Fact]
    public async Task AddAllos_UserRegistrationsFirst_KeepsTheUsers()
    {
        using var mine = new Router(new RouterOptions { Providers = Gateway.RouterFixture.Providers });
        var tools = new ToolRegistry();
        IServiceCollection services = Services();
        services.AddSingleton<IChatClient>(mine);
        services.AddSingleton(tools);
        services.AddKeyedSingleton<IChatClient>("smart", mine);

        await using ServiceProvider provider = services.AddAllos(Configuration().GetSection("Allos")).BuildServiceProvider();

        provider.GetRequiredService<IChatClient>().ShouldBeSameAs(mine);
        provider.GetRequiredKeyedService<IChatClient>("smart").ShouldBeSameAs(mine);
        provider.GetRequiredService<ToolRegistry>().ShouldBeSameAs(tools);
        provider.GetRequiredKeyedService<IChatClient>("fast").ShouldNotBeSameAs(mine, "only what the user registered is kept");
        services.Count(d => d.ServiceType == typeof(IChatClient) && !d.IsKeyedService).ShouldBe(1);
    }

    [Fact]
    public async Task AddAllos_ResolvingTheStores_CreatesNoFileUntilFirstUse()
    {
        string file = Path.Combine(_folder, "allos.db");
        await using ServiceProvider provider = Services().AddAllos(Configuration().GetSection("Allos")).BuildServiceProvider();

        ISessionStore sessions = provider.GetRequiredService<ISessionStore>();
        provider.GetRequiredService<ITelemetryStore>();
        provider.GetRequiredService<Router>();
        provider.GetRequiredService<AgentRunnerFactory>();
        File.Exists(file).ShouldBeFalse();

        IReadOnlyList<SessionRecord> listed = await sessions.ListAsync(new SessionQuery());

        listed.ShouldBeEmpty();
        File.Exists(file).ShouldBeTrue();
    }

    [Fact]
    public async Task AddAllos_CallThroughTheRouter_IsRecordedInTheRegisteredTelemetryStore()
    {
        _server.Enqueue(FakeTurn.Text("recorded").WithUsage(10, 5));
        await using ServiceProvider provider = Services().AddAllos(Configuration().GetSection("Allos")).BuildServiceProvider();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hi");
        ITelemetryStore telemetry = provider.GetRequiredService<ITelemetryStore>();
        await telemetry.FlushAsync();
        IReadOnlyList<UsageStats> stats = await telemetry.StatsAsync(StatsGrouping.Model);

        stats.ShouldHaveSingleItem().Calls.ShouldBe(1L);
    }

    [Fact]
    public async Task AddAllos_Action_AgentRunnerFactoryRunsAnAgentOnTheDefaultAlias()
    {
        _server.Enqueue(FakeTurn.Text("agent answer"));
        IServiceCollection services = Services().AddAllos(options =>
        {
            options.DefaultModel = "fast";
            options.Autonomy = AutonomyLevel.Manual;
            options.Router.Providers = Gateway.RouterFixture.Providers;
            options.Router.Groups.Add(new ModelGroup("fast", new Deployment("openai/gpt-4o-mini") { ApiKey = ApiKey, Endpoint = _server.OpenAIEndpoint }));
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        AgentRunner runner = provider.GetRequiredService<AgentRunnerFactory>().Create(new AgentDefinition { Name = "helper" });
        RunResult result = await runner.RunAsync("Hi");

        result.Text.ShouldBe("agent answer");
        result.Status.ShouldBe(RunStatus.Completed);
        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
        provider.GetRequiredKeyedService<IChatClient>("fast").ShouldNotBeNull();
        provider.GetRequiredService<ToolRegistry>().Names.ShouldContain("read_file");
    }

    [Fact]
    public async Task AddAllos_LoggerFactoryInTheContainer_RouterAndClientsLogToIt()
    {
        _server.Enqueue(FakeTurn.ProviderError(503, "Overloaded", "server_error"), FakeTurn.Text("after a retry"));
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs);
        IServiceCollection services = Services();
        services.AddSingleton(loggers);
        IConfiguration configuration = Configuration(("Allos:Router:RetryDelay", "10ms"));
        await using ServiceProvider provider = services.AddAllos(configuration.GetSection("Allos")).BuildServiceProvider();

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hi");

        response.Text.ShouldBe("after a retry");
        logs.Named("RouterRetry").ShouldHaveSingleItem().Fields["Alias"].ShouldBe("fast");
        logs.Named("ProviderRequestSent").Count.ShouldBe(2);
        logs.Entries.ShouldAllBe(entry => !entry.AllText.Contains(ApiKey));
    }

    /// <summary>Services whose SQLite file lives in the test's own folder, never the user's.</summary>
    private IServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new SqliteStoreOptions { Path = Path.Combine(_folder, "allos.db"), TelemetryFlushInterval = TimeSpan.FromMilliseconds(10) });
        return services;
    }

    private IConfiguration Configuration(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["Allos:DefaultModel"] = "fast",
            ["Allos:Models:fast:Model"] = "openai/gpt-4o-mini",
            ["Allos:Models:fast:ApiKey"] = ApiKey,
            ["Allos:Models:fast:BaseUrl"] = _server.OpenAIEndpoint.ToString(),
            ["Allos:Models:smart:Model"] = "openai/gpt-4.1",
            ["Allos:Models:smart:ApiKey"] = ApiKey,
            ["Allos:Models:smart:BaseUrl"] = _server.OpenAIEndpoint.ToString(),
        };
        foreach ((string key, string value) in extra)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
