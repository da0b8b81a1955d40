using System.Diagnostics;
using System.Net;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>Three gateway processes on one PostgreSQL database enforce one set of limits, not one each.</summary>
[Collection(PostgresCollection.Name)]
public class SharedLimitsInstancesTests(PostgresServer server) : IAsyncLifetime
{
    private GatewayInstances _gateways = null!;

    protected GatewayInstances Gateways => _gateways;

    public async Task InitializeAsync() => _gateways = await StartAsync(server);

    protected virtual Task<GatewayInstances> StartAsync(PostgresServer postgres) => GatewayInstances.StartAsync(postgres, 3);

    public async Task DisposeAsync() => await _gateways.DisposeAsync();

    [Fact]
    public async Task Chat_200ConcurrentRequestsOverThreeInstances_BudgetForAboutTen_NeverOverspends()
    {
        // Each call reserves about $0.015 (1000 output tokens at $15/M, plus its input) and spends exactly $0.015.
        string key = await _gateways.GenerateAsync("""{"max_budget": 0.155, "budget_duration": "1d"}""");

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _gateways.ChatAsync(i % 3, key)));

        int admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        HttpResponseMessage? odd = responses.FirstOrDefault(r => r.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests) || (r.StatusCode != HttpStatusCode.OK && !r.Headers.Contains("retry-after")));
        odd.ShouldBeNull(odd is null ? null : $"{odd.StatusCode}: {await odd.Content.ReadAsStringAsync()}");
        admitted.ShouldBeInRange(1, 10);
        _gateways.Upstream.Requests.Count.ShouldBe(admitted);
        await _gateways.WaitSettledAsync();
        long spend = (long)(await _gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!;
        spend.ShouldBe(15_000_000L * admitted);
        spend.ShouldBeLessThanOrEqualTo(155_000_000L);
        ((long)(await _gateways.ScalarAsync("SELECT reserved_nanos + in_flight FROM virtual_keys"))!).ShouldBe(0);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Chat_300ConcurrentRequestsOverThreeInstances_KeyFarFromItsLimits_SettleExactlyAsIfReservedOneByOne()
    {
        // Every limit is over 1024 × 64 calls, so the instances reserve blocks of calls (LimitBlocks) instead of one
        // reservation per call; the accounts must end exactly as if each call had been reserved alone.
        string key = await _gateways.GenerateAsync("""{"max_budget": 10000, "rpm_limit": 10000000, "max_parallel_requests": 100000}""");

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => _gateways.ChatAsync(i % 3, key)));

        HttpResponseMessage? refused = responses.FirstOrDefault(r => r.StatusCode != HttpStatusCode.OK);
        refused.ShouldBeNull(refused is null ? null : $"{refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        _gateways.Upstream.Requests.Count.ShouldBe(300);
        await _gateways.WaitSettledAsync();
        ((long)(await _gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!).ShouldBe(15_000_000L * 300, "each call charged its $0.015 once");
        ((long)(await _gateways.ScalarAsync("SELECT reserved_nanos + in_flight FROM virtual_keys"))!).ShouldBe(0);
        if (_gateways.Redis is null)
        {
            // The database keeps the rate window: every call counted once, the blocks' unused requests given back.
            ((long)(await _gateways.ScalarAsync("SELECT COALESCE(SUM(requests), 0)::bigint FROM limit_windows"))!).ShouldBe(300);
        }

        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Chat_OneCallAfterAnotherThroughEachInstanceInTurn_ParallelLimitOfOne_IsNeverRefusedForTheCallBefore()
    {
        // A client behind a load balancer: each call starts once the last one's response is in, on the next instance,
        // while the last call's settle may still be on its way to the database from the instance that served it.
        string key = await _gateways.GenerateAsync("""{"max_parallel_requests": 1}""");

        for (int i = 0; i < 30; i++)
        {
            using HttpResponseMessage response = await _gateways.ChatAsync(i % 3, key, maxTokens: 10);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"call {i} on instance {i % 3}: {await response.Content.ReadAsStringAsync()}");
        }

        _gateways.Upstream.Requests.Count.ShouldBe(30);
        await _gateways.WaitSettledAsync();
        ((long)(await _gateways.ScalarAsync("SELECT reserved_nanos + in_flight FROM virtual_keys"))!).ShouldBe(0);
    }

    [Fact]
    public async Task Chat_RpmLimitOf20_HoldsAcrossInstances()
    {
        string key = await _gateways.GenerateAsync("""{"rpm_limit": 20}""");

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => _gateways.ChatAsync(i % 3, key, maxTokens: 10)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(20);
        responses.Where(r => r.StatusCode != HttpStatusCode.OK).ShouldAllBe(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        _gateways.Upstream.Requests.Count.ShouldBe(20);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("/key/delete", """{"keys": ["KEY"]}""")]
    [InlineData("/key/update", """{"key": "KEY", "blocked": true}""")]
    public async Task Chat_KeyRevokedThroughOneInstance_IsRefusedByTheOthersWithinASecond(string path, string json)
    {
        string key = await _gateways.GenerateAsync("{}");
        for (int instance = 0; instance < 3; instance++)
        {
            using HttpResponseMessage before = await _gateways.ChatAsync(instance, key, maxTokens: 10);
            before.StatusCode.ShouldBe(HttpStatusCode.OK); // Cached by every instance now.
        }

        using (HttpResponseMessage revoked = await _gateways.AdminAsync(0, path.TrimStart('/'), json.Replace("KEY", key, StringComparison.Ordinal)))
        {
            revoked.IsSuccessStatusCode.ShouldBeTrue(await revoked.Content.ReadAsStringAsync());
        }

        var clock = Stopwatch.StartNew();
        foreach (int instance in new[] { 1, 2 })
        {
            HttpStatusCode status;
            do
            {
                using HttpResponseMessage response = await _gateways.ChatAsync(instance, key, maxTokens: 10);
                status = response.StatusCode;
            }
            while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(1));

            status.ShouldBe(HttpStatusCode.Unauthorized, $"instance {instance} still served the revoked key {clock.Elapsed.TotalMilliseconds:0} ms after {path}");
        }
    }
}
