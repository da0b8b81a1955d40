using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Allos.IntegrationTests.Storage.Redis;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>
/// A gateway process killed with calls in flight: the other processes on the database reclaim its reservations once its
/// heartbeat has been missing for <c>gateway.instance_timeout</c>, charging each call its full estimate.
/// </summary>
[Collection(PostgresCollection.Name)]
public class CrashReclaimInstancesTests(PostgresServer server)
{
    /// <summary>Gets the Redis to put in front of the database's limits, if any.</summary>
    protected virtual RedisServer? Redis => null;

    /// <summary>What one call of the fallback turn costs: 1000 output tokens at $15/M, no input tokens.</summary>
    private const long CallNanos = 15_000_000L;

    [Fact]
    public async Task Chat_InstanceKilledHoldingTwoCalls_OthersAdmitAgainAfterTheTimeout_AndChargeBothAtTheirEstimates()
    {
        await using GatewayInstances gateways = await GatewayInstances.StartAsync(server, 3, upstream => $"""
            models:
              claude:
                deployments:
                  - model: anthropic/claude-sonnet-4-5
                    api_key: sk-upstream
                    base_url: {upstream.EndpointFor("anthropic")}
            gateway:
              instance_heartbeat: 1s
              instance_timeout: 3s
            """, redis: Redis);
        string key = await gateways.GenerateAsync("""{"max_parallel_requests": 2, "max_budget": 10, "budget_duration": "1d"}""");

        // The upstream holds both of instance 0's calls open until their connections close (the kill closes them).
        gateways.Upstream.Enqueue(
            FakeTurn.Text("never sent").WithUsage(0, 1000).WithChunkDelay(TimeSpan.FromMinutes(5)),
            FakeTurn.Text("never sent").WithUsage(0, 1000).WithChunkDelay(TimeSpan.FromMinutes(5)));
        Task<HttpResponseMessage>[] held = [gateways.ChatAsync(0, key), gateways.ChatAsync(0, key)];
        for (int i = 0; i < 300 && (gateways.Upstream.Requests.Count < 2 || await LeasesAsync(gateways) < 2); i++)
        {
            await Task.Delay(100);
        }

        gateways.Upstream.Requests.Count.ShouldBe(2, "instance 0's two calls did not reach the upstream within 30 s");
        (await LeasesAsync(gateways)).ShouldBe(2);
        long estimates = (await gateways.LeasesAsync()).Estimates;
        estimates.ShouldBeGreaterThanOrEqualTo(2 * CallNanos, "each reservation covers at least the call's max_tokens");

        foreach (int instance in new[] { 1, 2 })
        {
            using HttpResponseMessage refused = await gateways.ChatAsync(instance, key);
            string body = await refused.Content.ReadAsStringAsync();
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, body);
            body.ShouldContain("max_parallel_requests");
        }

        await gateways.KillAsync(0);
        foreach (Task<HttpResponseMessage> call in held)
        {
            await Should.ThrowAsync<HttpRequestException>(call); // Killed mid-call: the client sees the connection drop.
        }

        // Instance 0's heartbeat stops; after instance_timeout (3 s) and at most one more heartbeat, instance 1 or 2
        // reclaims the two leases and the key's requests in flight fall back to zero.
        var clock = Stopwatch.StartNew();
        int served = 0;
        for (int attempt = 0; served == 0; attempt++)
        {
            using HttpResponseMessage response = await gateways.ChatAsync(1 + (attempt % 2), key);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served++;
                break;
            }

            response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync());
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "instance 0's reservations were not reclaimed within 15 s of its kill");
            await Task.Delay(200);
        }

        foreach (int instance in new[] { 1, 2 })
        {
            using HttpResponseMessage response = await gateways.ChatAsync(instance, key);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            served++;
        }

        // The crashed calls are charged exactly their estimates (never less), the calls served after exactly their cost.
        await gateways.WaitSettledAsync();
        long spend = (long)(await gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!;
        spend.ShouldBe(estimates + (served * CallNanos));
        ((long)(await gateways.ScalarAsync("SELECT reserved_nanos + in_flight FROM virtual_keys"))!).ShouldBe(0);
        (await InfoSpendAsync(gateways, 2, key)).ShouldBe(spend / 1_000_000_000m);
        gateways.Upstream.Requests.Count.ShouldBe(2 + served);
    }

    private static async Task<long> LeasesAsync(GatewayInstances gateways) => (await gateways.LeasesAsync()).Count;

    /// <summary>The key's spend as <c>GET /key/info</c> of a live instance reports it.</summary>
    private static async Task<decimal> InfoSpendAsync(GatewayInstances gateways, int instance, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"key/info?key={Uri.EscapeDataString(key)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayInstances.MasterKey);
        using HttpResponseMessage response = await gateways.Clients[instance].SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("info").GetProperty("spend").GetDecimal();
    }
}
