using Allos.IntegrationTests.Storage.Postgres;
using Allos.Storage;
using Allos.Storage.Limits;
using Allos.Storage.Postgres;
using Allos.Storage.Redis;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StackExchange.Redis;

namespace Allos.IntegrationTests.Storage.Redis;

/// <summary>
/// <see cref="RedisSharedLimits"/> in one process, two instances (stores) on one database and one Redis, on a fake clock:
/// the cases the gateway tests cannot time (an instance that stops beating, Redis emptied between reserve and settle, the
/// database changed behind Redis's copy).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisSharedLimitsTests(PostgresServer server, RedisServer redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<PostgresStore> _stores = [];
    private string _database = "";

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync("redis_limits_unit");

    public async Task DisposeAsync()
    {
        foreach (PostgresStore store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reserve_InstanceStopsBeating_AnotherTakesOverItsReservation_AtItsEstimate()
    {
        RedisSharedLimits a = await OpenAsync();
        RedisSharedLimits b = await OpenAsync();
        await CreateKeyAsync("k1", budget: 1m);
        LimitAccount[] key = [new(LimitAccountKind.Key, "k1")];
        (await a.ReserveAsync(key, 0.5m, 100, default)).Lease.ShouldNotBeNull();
        (await b.ReserveAsync(key, 0.6m, 100, default)).Refusal.ShouldBe(LimitRefusal.Budget);

        (await b.BeatOnceAsync()).ShouldBe(0, "a is alive: nothing to take over");
        await DeleteAsync($"{Prefix}i:{a.Instance}"); // a's alive key expires: it crashed.
        (await b.BeatOnceAsync()).ShouldBe(1);
        await b.FlushAsync();

        (await SpendAsync("k1")).ShouldBe(500_000_000L, "charged at its estimate");
        LimitOutcome after = await b.ReserveAsync(key, 0.6m, 100, default);
        after.Refusal.ShouldBe(LimitRefusal.Budget);
        after.Reserved.ShouldBe(0m);
        after.InFlight.ShouldBe(0);
        (await b.ReserveAsync(key, 0.4m, 100, default)).Lease.ShouldNotBeNull();
    }

    [Fact]
    public async Task Settle_RedisEmptiedMeanwhile_StillChargesTheDatabase_AndTheNextReservationReadsIt()
    {
        RedisSharedLimits a = await OpenAsync();
        await CreateKeyAsync("k2", budget: 1m);
        LimitAccount[] key = [new(LimitAccountKind.Key, "k2")];
        Guid lease = (await a.ReserveAsync(key, 0.5m, 100, default)).Lease!.Value;

        await EmptyRedisAsync();

        a.Settle(lease, 0.3m, 50);
        await a.FlushAsync();

        (await SpendAsync("k2")).ShouldBe(300_000_000L);
        LimitOutcome refused = await a.ReserveAsync(key, 0.8m, 100, default);
        refused.Refusal.ShouldBe(LimitRefusal.Budget);
        refused.Spent.ShouldBe(0.3m, "the emptied Redis read the spend back from the database");
    }

    [Fact]
    public async Task Reserve_RedisEmptiedBeforeTheInstancesNextBeat_IsNotTakenOverByAnother()
    {
        RedisSharedLimits a = await OpenAsync();
        RedisSharedLimits b = await OpenAsync();
        await CreateKeyAsync("k7", budget: 1m);
        LimitAccount[] key = [new(LimitAccountKind.Key, "k7")];
        await EmptyRedisAsync(); // Redis restarted empty: neither instance's alive key is there until it beats again.

        Guid lease = (await a.ReserveAsync(key, 0.5m, 100, default)).Lease!.Value;
        (await b.BeatOnceAsync()).ShouldBe(0, "a just reserved, so it is alive: its call is still in flight");
        a.Settle(lease, 0.3m, 50);
        await a.FlushAsync();
        await b.FlushAsync();

        (await SpendAsync("k7")).ShouldBe(300_000_000L, "charged once, at its actual cost");
    }

    [Fact]
    public async Task Reserve_SpendChangedInTheDatabase_IsReadWithinASecond()
    {
        RedisSharedLimits a = await OpenAsync();
        await CreateKeyAsync("k3", budget: 1m);
        LimitAccount[] key = [new(LimitAccountKind.Key, "k3")];
        a.Settle((await a.ReserveAsync(key, 0.1m, 10, default)).Lease!.Value, 0.1m, 10);
        await a.FlushAsync();

        await ExecuteAsync("UPDATE virtual_keys SET spend_nanos = 950000000 WHERE hash = 'k3'"); // Behind every instance's back.
        _time.Advance(TimeSpan.FromMilliseconds(1100));

        LimitOutcome refused = await a.ReserveAsync(key, 0.1m, 10, default);
        refused.Refusal.ShouldBe(LimitRefusal.Budget);
        refused.Spent.ShouldBe(0.95m);
    }

    [Fact]
    public async Task Reserve_DeletedKey_IsGone_AndAMissingTeamDoesNotCount()
    {
        RedisSharedLimits a = await OpenAsync();
        await CreateKeyAsync("k4", budget: null);
        (await a.ReserveAsync([new(LimitAccountKind.Team, "nobody"), new(LimitAccountKind.Key, "k4")], 0.1m, 10, default)).Lease.ShouldNotBeNull();
        (await a.ReserveAsync([new(LimitAccountKind.Key, "k5")], 0.1m, 10, default)).Refusal.ShouldBe(LimitRefusal.Gone);
    }

    [Fact]
    public async Task Reserve_RedisHangs_FailOpen_GoesOnWithTheDatabasesCounters_AndBackToRedisOnceItAnswers()
    {
        await using RedisServer hung = await RedisServer.StartAsync();
        RedisSharedLimits a = await OpenAsync(hung);
        await CreateKeyAsync("k6", budget: 1m);
        LimitAccount[] key = [new(LimitAccountKind.Key, "k6")];
        a.Settle((await a.ReserveAsync(key, 0.1m, 10, default)).Lease!.Value, 0.1m, 10); // Through Redis.
        await a.FlushAsync();

        await hung.PauseAsync();
        try
        {
            Guid first = (await a.ReserveAsync(key, 0.2m, 10, default)).Lease!.Value; // Waits out the timeout, then the database.
            Guid second = (await a.ReserveAsync(key, 0.2m, 10, default)).Lease!.Value;
            (await CountAsync("SELECT COUNT(*) FROM limit_leases")).ShouldBe(2, "both reservations were the database's");
            (await a.ReserveAsync(key, 0.6m, 10, default)).Refusal.ShouldBe(LimitRefusal.Budget, "the database counts the spend Redis settled");
            a.Settle(first, 0.2m, 10);
            a.Settle(second, 0.2m, 10);
            await a.FlushAsync();
        }
        finally
        {
            await hung.ResumeAsync();
        }

        (await SpendAsync("k6")).ShouldBe(500_000_000L);
        // A second later reservations try Redis again; its copy of the key missed the $0.4 charged meanwhile, and is read
        // again though it is not a second old on the store's clock (which has not moved).
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Guid back = (await a.ReserveAsync(key, 0.1m, 10, default)).Lease!.Value;
        (await CountAsync("SELECT COUNT(*) FROM limit_leases")).ShouldBe(0, "back in Redis");
        LimitOutcome refused = await a.ReserveAsync(key, 0.45m, 10, default);
        refused.Refusal.ShouldBe(LimitRefusal.Budget);
        refused.Spent.ShouldBe(0.5m);
        a.Settle(back, 0.1m, 10);
        await a.FlushAsync();
        (await SpendAsync("k6")).ShouldBe(600_000_000L);

        // The reservation sent while Redis hung ran once it went on, after its caller had given up on the answer and
        // reserved in the database instead: it must be given back, not hold the key's budget for good.
        long? busy = null;
        for (int i = 0; i < 100 && busy != 0; i++)
        {
            await Task.Delay(100);
            busy = await RedisFieldAsync(hung, "key", "k6", "busy");
        }

        busy.ShouldBe(0, "a reservation whose answer was lost still holds a request in Redis");
        (await RedisFieldAsync(hung, "key", "k6", "held")).ShouldBe(0);
    }

    private string Prefix
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(_database);
            return RedisLimitScripts.Prefix($"{builder.Host}:{builder.Port}/{builder.Database}");
        }
    }

    private async Task<RedisSharedLimits> OpenAsync(RedisServer? other = null)
    {
        PostgresStore store = await PostgresStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = _database,
            TimeProvider = _time,
            Redis = new RedisOptions { Url = (other ?? redis).Url },
        });
        _stores.Add(store);
        return (RedisSharedLimits)store.Limits;
    }

    private async Task CreateKeyAsync(string hash, decimal? budget)
    {
        await using PostgresStore store = await PostgresStore.OpenAsync(_database);
        await store.Keys.CreateAsync(new VirtualKey { Hash = hash, MaxBudget = budget, Created = _time.GetUtcNow() });
    }

    private async Task<long> SpendAsync(string hash)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT spend_nanos FROM virtual_keys WHERE hash = @h", connection);
        command.Parameters.AddWithValue("h", hash);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long?> RedisFieldAsync(RedisServer server, string kind, string id, string field)
    {
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}");
        RedisValue value = await client.GetDatabase().HashGetAsync($"{Prefix}a:{kind}:{id}", field);
        return value.IsNull ? null : (long)value;
    }

    private async Task EmptyRedisAsync()
    {
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
        foreach (RedisKey stored in client.GetServers()[0].Keys(pattern: Prefix + "*"))
        {
            await client.GetDatabase().KeyDeleteAsync(stored);
        }
    }

    private async Task DeleteAsync(string key)
    {
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        (await client.GetDatabase().KeyDeleteAsync(key)).ShouldBeTrue($"no key {key} in Redis");
    }
}
