using Allos.Gateway;
using Allos.IntegrationTests.Gateway;
using Allos.Storage.Postgres;
using Allos.Tests.Shared;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>
/// Cooldowns shared between gateway processes, each stood for by a Router over its own store on one database; the
/// deployments are fake provider servers. Waits are for the cooldown to arrive (up to 10 s), never for a time.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedCooldownsTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];
    private RouterFixture _fx = null!;

    public async Task InitializeAsync()
    {
        _fx = await RouterFixture.StartAsync(2);
        _fx[0].FallbackTurn = FakeTurn.ProviderError(503, "Service unavailable", "server_error");
        _fx[1].FallbackTurn = FakeTurn.Text("healthy");
    }

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task Router_DeploymentCooledDownInOneProcess_IsSkippedByAnotherOnTheSameDatabase()
    {
        string database = await server.CreateDatabaseAsync("cooldown_live");
        await using PostgresStore storeA = await PostgresStore.OpenAsync(database);
        await using PostgresStore storeB = await PostgresStore.OpenAsync(database);
        await WaitListeningAsync(storeB);
        using var routerA = new Router(Options(storeA));
        using var routerB = new Router(Options(storeB));

        // Subscribed after routerB, so called after it: once the inbox has the cooldown, routerB has applied it.
        var inbox = new Inbox<SharedCooldown>();
        storeB.Cooldowns.Subscribe(inbox.Add);

        for (int i = 0; i < 3; i++)
        {
            (await routerA.GetResponseAsync(Hello, new ChatOptions { ModelId = "pool" })).Text.ShouldBe("healthy");
        }

        _fx[0].Requests.Count.ShouldBe(3, "priority routing tries server0 each time until it cools down in A");
        SharedCooldown cooldown = await inbox.NextAsync(c => c.Deployment == "pool/server0", "cooldown of pool/server0 in B");
        cooldown.Until.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(5), "the cooldown A started, 10 minutes long");

        (await routerB.GetResponseAsync(Hello, new ChatOptions { ModelId = "pool" })).Text.ShouldBe("healthy");
        _fx[0].Requests.Count.ShouldBe(3, "B skips the deployment A cooled down, without failing on it first");
    }

    [Fact]
    public async Task Router_StartedAfterAnotherCooledADeploymentDown_ReadsTheRunningCooldown()
    {
        string database = await server.CreateDatabaseAsync("cooldown_start");
        await using PostgresStore storeA = await PostgresStore.OpenAsync(database);
        using var routerA = new Router(Options(storeA));
        for (int i = 0; i < 3; i++)
        {
            await routerA.GetResponseAsync(Hello, new ChatOptions { ModelId = "pool" });
        }

        await WaitForRowAsync(database, "pool/server0");

        await using PostgresStore storeB = await PostgresStore.OpenAsync(database);
        using var routerB = new Router(Options(storeB));
        var inbox = new Inbox<SharedCooldown>();
        storeB.Cooldowns.Subscribe(inbox.Add);
        await inbox.NextAsync(c => c.Deployment == "pool/server0", "running cooldown read by B on start");

        (await routerB.GetResponseAsync(Hello, new ChatOptions { ModelId = "pool" })).Text.ShouldBe("healthy");
        _fx[0].Requests.Count.ShouldBe(3, "B never tries the deployment cooled down before it started");
    }

    [Fact]
    public async Task PublishAsync_ShorterCooldownLater_KeepsTheLongerOne()
    {
        string database = await server.CreateDatabaseAsync("cooldown_upsert");
        await using PostgresStore store = await PostgresStore.OpenAsync(database);
        DateTimeOffset later = DateTimeOffset.UtcNow.AddMinutes(10);

        await store.Cooldowns.PublishAsync("pool/a:1", later, CancellationToken.None);
        await store.Cooldowns.PublishAsync("pool/a:1", later.AddMinutes(-5), CancellationToken.None);

        Scalar(database, "SELECT until FROM deployment_cooldowns WHERE deployment = 'pool/a:1'").ShouldBe(later.ToUnixTimeMilliseconds());
    }

    private RouterOptions Options(PostgresStore store)
    {
        RouterOptions options = RouterFixture.Options(new ModelGroup("pool", _fx.Deployment(0), _fx.Deployment(1)));
        options.CooldownFailures = 3;
        options.CooldownDuration = TimeSpan.FromMinutes(10);
        options.SharedCooldowns = store.Cooldowns;
        return options;
    }

    /// <summary>Starts the store's feed and waits until it listens (its first resync), so B sees A's cooldown as a notification, not by reading it at start.</summary>
    private static async Task WaitListeningAsync(PostgresStore store)
    {
        var inbox = new Inbox<Allos.Storage.StoreChange>();
        store.Changes.Subscribe(inbox.Add);
        await inbox.NextAsync(c => c.Kind == Allos.Storage.StoreChangeKind.Resync, "resync once listening");
    }

    /// <summary>The publish is fire-and-forget: waits for its row, up to 10 s.</summary>
    private static async Task WaitForRowAsync(string database, string deployment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Scalar(database, $"SELECT COUNT(*) FROM deployment_cooldowns WHERE deployment = '{deployment}'") is not 1L)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }
}
