using Allos.Gateway.Server.Keys;
using Allos.IntegrationTests.Storage.Redis;
using Allos.Storage;
using Allos.Storage.Limits;
using Allos.Storage.Postgres;
using Allos.Storage.Redis;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>
/// <see cref="LimitBlocks"/> over the real shared limits (PostgreSQL alone, and with Redis in front): many calls from few
/// reservations with the accounts exactly as if each call had been reserved; a block refused near a limit falls back to
/// one call; an open block holds its unused part from another instance until it closes, then gives it back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LimitBlocksTests(PostgresServer server, RedisServer redis) : IAsyncLifetime
{
    private readonly List<PostgresStore> _stores = [];
    private readonly List<LimitBlocks> _blocks = [];
    private string _database = "";

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync("limit_blocks");

    public async Task DisposeAsync()
    {
        foreach (LimitBlocks blocks in _blocks)
        {
            await blocks.DisposeAsync();
        }

        foreach (PostgresStore store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentCalls_FromBlocks_SettleExactlyAsIfEachWereReserved(bool withRedis)
    {
        LimitBlocks blocks = await OpenAsync(withRedis);
        string hash = $"many-{withRedis}";
        await CreateKeyAsync(new VirtualKey { Hash = hash, MaxBudget = 1000m, RpmLimit = 1_000_000, TpmLimit = 100_000_000, MaxParallelRequests = 100_000, Created = DateTimeOffset.UtcNow });
        LimitAccount[] key = [new(LimitAccountKind.Key, hash)];

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            LimitOutcome outcome = await blocks.ReserveAsync(key, 0.001m, 10, 64, default);
            outcome.Lease.ShouldNotBeNull();
            await Task.Yield();
            blocks.Settle(outcome.Lease.Value, 0.0005m, 5);
        }));
        await blocks.FlushAsync();

        blocks.BlocksTaken.ShouldBeInRange(4, 40, "200 calls in blocks of 64: a few reservations, not one per call");
        (await ScalarAsync($"SELECT spend_nanos FROM virtual_keys WHERE hash = '{hash}'")).ShouldBe(200 * 500_000L, "every call charged its actual cost once");
        if (!withRedis)
        {
            // The database holds the live counters: nothing left reserved, every call counted once in the window.
            (await ScalarAsync($"SELECT reserved_nanos FROM virtual_keys WHERE hash = '{hash}'")).ShouldBe(0L);
            (await ScalarAsync($"SELECT in_flight::bigint FROM virtual_keys WHERE hash = '{hash}'")).ShouldBe(0L);
            (await ScalarAsync($"SELECT coalesce(sum(requests), 0)::bigint FROM limit_windows WHERE account = 'key:{hash}'")).ShouldBe(200L);
            (await ScalarAsync($"SELECT coalesce(sum(tokens), 0)::bigint FROM limit_windows WHERE account = 'key:{hash}'")).ShouldBe(1000L);
            (await ScalarAsync("SELECT count(*) FROM limit_leases")).ShouldBe(0L);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BlockThatDoesNotFit_NearTheBudget_FallsBackToOneCall_AndTheLimitStillBinds(bool withRedis)
    {
        LimitBlocks blocks = await OpenAsync(withRedis);
        string hash = $"near-{withRedis}";
        await CreateKeyAsync(new VirtualKey { Hash = hash, MaxBudget = 1m, Created = DateTimeOffset.UtcNow });
        await ScalarAsync($"UPDATE virtual_keys SET spend_nanos = 995000000 WHERE hash = '{hash}' RETURNING 0::bigint");
        LimitAccount[] key = [new(LimitAccountKind.Key, hash)];

        LimitOutcome first = await blocks.ReserveAsync(key, 0.002m, 10, 64, default);
        first.Lease.ShouldNotBeNull("a block of 64 × 0.002 does not fit in 0.005 left, one call does");
        blocks.BlocksTaken.ShouldBe(0);
        (await blocks.ReserveAsync(key, 0.002m, 10, 64, default)).Lease.ShouldNotBeNull();
        LimitOutcome third = await blocks.ReserveAsync(key, 0.002m, 10, 64, default);
        third.Refusal.ShouldBe(LimitRefusal.Budget, "0.995 spent + 0.004 held + 0.002 is over 1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenBlock_HoldsItsUnusedRequests_FromAnotherInstance_UntilItClosesAndGivesThemBack(bool withRedis)
    {
        LimitBlocks a = await OpenAsync(withRedis);
        LimitBlocks b = await OpenAsync(withRedis);
        string hash = $"held-{withRedis}";
        await CreateKeyAsync(new VirtualKey { Hash = hash, MaxParallelRequests = 10, Created = DateTimeOffset.UtcNow });
        LimitAccount[] key = [new(LimitAccountKind.Key, hash)];

        Guid fromBlock = (await a.ReserveAsync(key, 0m, 10, 8, default)).Lease!.Value;
        a.BlocksTaken.ShouldBe(1);
        Guid one = (await b.ReserveAsync(key, 0m, 10, 1, default)).Lease!.Value;
        Guid two = (await b.ReserveAsync(key, 0m, 10, 1, default)).Lease!.Value;
        LimitOutcome refused = await b.ReserveAsync(key, 0m, 10, 1, default);
        refused.Refusal.ShouldBe(LimitRefusal.Parallel, "a's block holds 8 of the 10, b's calls the other 2");
        refused.InFlight.ShouldBe(10);

        // a's call ends; its block closes once its time is up and gives back all 8.
        a.Settle(fromBlock, 0m, 5);
        await a.FlushAsync();
        LimitOutcome again = await b.ReserveAsync(key, 0m, 10, 1, default);
        again.Lease.ShouldNotBeNull("the block's requests came back");
        b.Settle(one, 0m, 5);
        b.Settle(two, 0m, 5);
        b.Settle(again.Lease.Value, 0m, 5);
        await b.FlushAsync();
        if (!withRedis)
        {
            (await ScalarAsync($"SELECT in_flight::bigint FROM virtual_keys WHERE hash = '{hash}'")).ShouldBe(0L);
        }
    }

    [Fact]
    public async Task IdleBlock_IsClosedByTheSweep_AndItsUnusedRequestsLeaveTheRateWindow()
    {
        LimitBlocks blocks = await OpenAsync(withRedis: false);
        await CreateKeyAsync(new VirtualKey { Hash = "idle", RpmLimit = 100, Created = DateTimeOffset.UtcNow });
        LimitAccount[] key = [new(LimitAccountKind.Key, "idle")];

        Guid call = (await blocks.ReserveAsync(key, 0m, 10, 8, default)).Lease!.Value;
        (await ScalarAsync("SELECT coalesce(sum(requests), 0)::bigint FROM limit_windows WHERE account = 'key:idle'")).ShouldBe(8L, "the block holds 8 requests of the minute");
        blocks.Settle(call, 0m, 7);

        // No flush: the sweep closes the block once it has been open for LimitBlocks.DefaultOpenFor.
        long requests = 8;
        for (int i = 0; i < 50 && requests != 1; i++)
        {
            await Task.Delay(100);
            requests = await ScalarAsync("SELECT coalesce(sum(requests), 0)::bigint FROM limit_windows WHERE account = 'key:idle'");
        }

        requests.ShouldBe(1L, "one call was admitted: the other 7 requests went back to the minute");
        (await ScalarAsync("SELECT coalesce(sum(tokens), 0)::bigint FROM limit_windows WHERE account = 'key:idle'")).ShouldBe(7L);
        (await ScalarAsync("SELECT in_flight::bigint FROM virtual_keys WHERE hash = 'idle'")).ShouldBe(0L);
    }

    [Fact]
    public async Task Close_AnAccountChanged_EndsItsOpenBlockAtOnce_AndTheNextCallReservesAgain()
    {
        PostgresStore store = await PostgresStore.OpenAsync(_database);
        _stores.Add(store);
        var blocks = new LimitBlocks(store.Limits, openFor: TimeSpan.FromHours(1)); // Only Close can end this block.
        _blocks.Add(blocks);
        await CreateKeyAsync(new VirtualKey { Hash = "changed", MaxParallelRequests = 100, Created = DateTimeOffset.UtcNow });
        LimitAccount[] key = [new(LimitAccountKind.Key, "changed")];

        Guid first = (await blocks.ReserveAsync(key, 0m, 10, 8, default)).Lease!.Value;
        Guid second = (await blocks.ReserveAsync(key, 0m, 10, 8, default)).Lease!.Value;
        blocks.BlocksTaken.ShouldBe(1);
        blocks.Settle(first, 0m, 5);
        blocks.Settle(second, 0m, 5);
        (await ScalarAsync("SELECT in_flight::bigint FROM virtual_keys WHERE hash = 'changed'")).ShouldBe(8L, "the open block still holds its 8");

        blocks.Close(key[0]);
        await blocks.Inner.FlushAsync();

        (await ScalarAsync("SELECT in_flight::bigint FROM virtual_keys WHERE hash = 'changed'")).ShouldBe(0L);
        (await blocks.ReserveAsync(key, 0m, 10, 8, default)).Lease.ShouldNotBeNull();
        blocks.BlocksTaken.ShouldBe(2, "the next call reserved a new block against the record as it is now");
    }

    [Fact]
    public void BlockSize_IsAtMostAThousandthOfEveryLimit_AndOneForTightOnes()
    {
        var roomy = new VirtualKey { Hash = "x", MaxBudget = 1_000_000m, RpmLimit = 1_000_000_000, TpmLimit = 2_000_000_000, MaxParallelRequests = 100_000 };
        KeyGate.BlockSize(roomy, null, null, 0.001m, 100).ShouldBe(64);
        KeyGate.BlockSize(roomy with { MaxParallelRequests = 10_240 }, null, null, 0.001m, 100).ShouldBe(10);
        KeyGate.BlockSize(roomy with { RpmLimit = 20 }, null, null, 0.001m, 100).ShouldBe(1, "an rpm of 20 is reserved call by call");
        KeyGate.BlockSize(roomy with { MaxBudget = 10m }, null, null, 0.001m, 100).ShouldBe(9, "10 USD / 0.001 / 1024");
        KeyGate.BlockSize(roomy with { MaxBudget = 0.01m }, null, null, 0.001m, 100).ShouldBe(1, "a budget of about ten calls");
        KeyGate.BlockSize(roomy with { MaxBudget = 0.01m }, null, null, 0m, 100).ShouldBe(64, "a call with no price does not draw on the budget");
        KeyGate.BlockSize(roomy, new KeyOwner { Kind = KeyOwnerKind.Team, Id = "t", RpmLimit = 3000 }, null, 0.001m, 100).ShouldBe(2, "the team's limit binds too");
    }

    private async Task<LimitBlocks> OpenAsync(bool withRedis)
    {
        PostgresStore store = await PostgresStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = _database,
            Redis = withRedis ? new RedisOptions { Url = redis.Url } : null,
        });
        _stores.Add(store);
        return store.Blocks;
    }

    private async Task CreateKeyAsync(VirtualKey key)
    {
        await using PostgresStore store = await PostgresStore.OpenAsync(_database);
        await store.Keys.CreateAsync(key);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
