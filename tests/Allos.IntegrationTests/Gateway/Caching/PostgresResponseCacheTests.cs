using System.Diagnostics;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.IntegrationTests.Storage.Postgres;
using Allos.Storage;
using Allos.Storage.Postgres;
using Allos.Telemetry;
using Npgsql;

namespace Allos.IntegrationTests.Gateway.Caching;

/// <summary>
/// The response cache contract on PostgreSQL, and what sharing one database adds: instances see each other's answers,
/// agree under concurrent writes, migrate a fresh database, and a server that is down is a reported miss.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresResponseCacheTests(PostgresServer server) : ResponseCacheContractTests
{
    private const string DownUrl = "postgres://allos:hunter2secret@127.0.0.1:1/allos";

    private string _database = "";

    public override async Task InitializeAsync() => _database = await server.CreateDatabaseAsync("cache");

    protected override IResponseCache OpenCache(int maxEntries) => PostgresResponseCache.Open(_database, maxEntries, Clock);

    protected override long Rows() => (long)Scalar("SELECT COUNT(*) FROM response_cache;")!;

    protected override void Execute(string sql) => Scalar(sql);

    protected override Task SettledAsync(IResponseCache cache) => ((PostgresResponseCache)cache).Sweeping;

    private object? Scalar(string sql) => Scalar(_database, sql);

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task GetAsync_TwoInstancesOnOneDatabase_AnswerStoredByOneIsAHitForTheOther()
    {
        IResponseCache first = Open();
        IResponseCache second = Open();

        await first.SetAsync("k", Response("shared"), TimeSpan.FromMinutes(10));

        (await second.GetAsync("k"))!.Text.ShouldBe("shared");
        await second.SetAsync("k", Response("replaced by the second"), TimeSpan.FromMinutes(10));
        (await first.GetAsync("k"))!.Text.ShouldBe("replaced by the second");
        Clock.Advance(TimeSpan.FromMinutes(10));
        (await first.GetAsync("k")).ShouldBeNull("expired for every instance");
        (await second.GetAsync("k")).ShouldBeNull();
    }

    [Fact]
    public async Task GetAsync_ExpiredRow_MissesAndIsLeftToTheBackgroundSweep()
    {
        var cache = (PostgresResponseCache)Open(maxEntries: 1);
        await cache.SetAsync("old", Response("o"), TimeSpan.FromMinutes(1));
        Clock.Advance(TimeSpan.FromMinutes(1));

        (await cache.GetAsync("old")).ShouldBeNull();
        Rows().ShouldBe(1, "a read deletes nothing: clean-up is off the request path");

        await cache.SetAsync("new", Response("n"), Hour);
        await cache.Sweeping;

        Scalar("SELECT string_agg(key, ',') FROM response_cache;").ShouldBe("new");
    }

    [Fact]
    public async Task SetAsync_ManyInstancesStoringOneKeyAtOnce_LeaveOneRowWithOneOfTheAnswers()
    {
        IResponseCache[] caches = [.. Enumerable.Range(0, 4).Select(_ => Open())];

        await Task.WhenAll(caches.Select((cache, worker) => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                await cache.SetAsync("k", Response($"{worker}-{i}"), Hour);
            }
        })));

        Rows().ShouldBe(1);
        (await caches[0].GetAsync("k"))!.Text.ShouldEndWith("-24");
    }

    [Fact]
    public async Task Open_FreshDatabase_AppliesTheMigrationsOnFirstUse_AndTheStoreOpensBesideIt()
    {
        IResponseCache cache = Open();
        Scalar("SELECT to_regclass('schema_migrations') IS NULL").ShouldBe(true, "opening does not connect");

        await cache.SetAsync("k", Response("before the store"), Hour);

        Scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
            .ShouldBe(string.Join(',', PostgresMigrations.All.Select(m => m.Version)));
        await using PostgresStore store = await PostgresStore.OpenAsync(_database);
        await store.Sessions.CreateAsync(new SessionRecord { Id = "s" });
        (await Open().GetAsync("k"))!.Text.ShouldBe("before the store");
    }

    [Fact]
    public async Task GetAsync_ServerDown_FailsNamingTheServerNeverThePassword_ThenFailsAtOnceUntilRetry()
    {
        IResponseCache cache = PostgresResponseCache.Open(DownUrl, timeProvider: Clock);
        try
        {
            StoreUnavailableException first = await Should.ThrowAsync<StoreUnavailableException>(async () => await cache.GetAsync("k"));
            first.Message.ShouldContain("127.0.0.1:1/allos");
            first.Message.ShouldContain("cannot be reached");
            first.Message.ShouldNotContain("hunter2secret");

            StoreUnavailableException again = await Should.ThrowAsync<StoreUnavailableException>(async () => await cache.SetAsync("k", Response("x"), Hour));
            again.Message.ShouldContain("failed moments ago");
            again.Message.ShouldNotContain("hunter2secret");

            Clock.Advance(TimeSpan.FromSeconds(5));
            (await Should.ThrowAsync<StoreUnavailableException>(async () => await cache.GetAsync("k"))).Message.ShouldContain("cannot be reached", customMessage: "tried again");
        }
        finally
        {
            await CloseAsync(cache);
        }
    }

    [Fact]
    public async Task Router_CacheServerDown_AnswersFromTheProviderAndReportsTheCacheFailure()
    {
        const string Alias = "pg-cache-down";
        var events = new List<(string Name, object? Error)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AllosTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("allos.gateway.alias") == Alias)
                {
                    lock (events)
                    {
                        events.AddRange(activity.Events.Select(e => (e.Name, e.Tags.FirstOrDefault(t => t.Key == "error.type").Value)));
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using RouterFixture fx = await RouterFixture.StartAsync(1);
        fx[0].Enqueue(FakeTurn.Text("from the provider"), FakeTurn.Text("again from the provider"));
        RouterOptions options = RouterFixture.Options(new ModelGroup(Alias, fx.Deployment(0)) { Cache = true });
        await using var cache = PostgresResponseCache.Open(DownUrl);
        options.Cache = cache;
        using var router = new Router(options);

        (await router.For(Alias).GetResponseAsync([new ChatMessage(ChatRole.User, "Hello")])).Text.ShouldBe("from the provider");
        (await router.For(Alias).GetResponseAsync([new ChatMessage(ChatRole.User, "Hello")])).Text.ShouldBe("again from the provider");

        fx[0].Requests.Count.ShouldBe(2);
        lock (events)
        {
            events.Where(e => e.Name == "allos.gateway.cache_failed").Select(e => e.Error)
                .ShouldBe([nameof(StoreUnavailableException), nameof(StoreUnavailableException), nameof(StoreUnavailableException), nameof(StoreUnavailableException)],
                    "each read and each write is reported");
        }
    }

    [Fact]
    public async Task LoadYaml_TypePostgres_UsesTheStoreDatabase_OrCacheUrlWhenGiven_AndInstancesShareIt()
    {
        string other = await server.CreateDatabaseAsync("cache_url");
        string yaml = $"""
            store: "{_database}"
            router:
              cache:
                type: postgres
                max_entries: 50
                ttl: 10m
            """;
        RouterOptions first = AllosConfiguration.LoadYaml(yaml).CreateRouterOptions();
        RouterOptions second = AllosConfiguration.LoadYaml(yaml).CreateRouterOptions();
        RouterOptions elsewhere = AllosConfiguration.LoadYaml(yaml.Replace("type: postgres", $"url: \"{other}\"", StringComparison.Ordinal)).CreateRouterOptions();
        await using var one = first.Cache.ShouldBeOfType<PostgresResponseCache>();
        await using var two = second.Cache.ShouldBeOfType<PostgresResponseCache>();
        await using var three = elsewhere.Cache.ShouldBeOfType<PostgresResponseCache>();

        await one.SetAsync("k", Response("through the store's database"), first.CacheTtl);
        await three.SetAsync("k", Response("through cache.url"), elsewhere.CacheTtl);

        first.CacheTtl.ShouldBe(TimeSpan.FromMinutes(10));
        (await two.GetAsync("k"))!.Text.ShouldBe("through the store's database");
        Rows().ShouldBe(1);
        ((long)Scalar(other, "SELECT COUNT(*) FROM response_cache")!).ShouldBe(1);
        three.Server.ShouldEndWith(new NpgsqlConnectionStringBuilder(other).Database!);
    }
}
