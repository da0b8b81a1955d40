using System.Net;
using System.Text.Json;
using Allos.IntegrationTests.Storage.Redis;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>Two gateway processes whose Redis (a private one) is killed mid-run and comes back empty, under each <c>on_failure</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisFailureInstancesTests(PostgresServer server)
{
    private const long CallNanos = 15_000_000L;

    [Fact]
    public async Task Chat_RedisKilledMidRun_FailOpen_GoesOnWithTheDatabasesLimits_AndLosesNothing()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using GatewayInstances gateways = await GatewayInstances.StartAsync(server, 2, redis: redis, onFailure: "fail_open");
        // About ten calls' budget ($0.015 each), spent one call at a time: exactly ten are admitted whatever counts them.
        string key = await gateways.GenerateAsync("""{"max_budget": 0.155, "budget_duration": "1d"}""");
        int served = await ServeAsync(gateways, key, 3);
        served.ShouldBe(3);

        await redis.KillAsync();
        served += await ServeAsync(gateways, key, 4);
        served.ShouldBe(7, "with fail_open, calls go on through the database while Redis is away");

        await redis.StartAgainAsync();
        served += await RecoverAsync(gateways, key, redis);
        served += await ServeAsync(gateways, key, 10);

        served.ShouldBe(10, "the budget held across Redis going away and coming back empty");
        await gateways.WaitSettledAsync();
        ((long)(await gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!).ShouldBe(CallNanos * served);
        gateways.Upstream.Requests.Count.ShouldBe(served);
    }

    [Fact]
    public async Task Chat_RedisKilledMidRun_FailClosed_RefusesTyped_ThenRecovers_AndLosesNothing()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using GatewayInstances gateways = await GatewayInstances.StartAsync(server, 2, redis: redis, onFailure: "fail_closed");
        string key = await gateways.GenerateAsync("""{"max_budget": 10, "budget_duration": "1d"}""");
        int served = await ServeAsync(gateways, key, 2);
        served.ShouldBe(2);

        await redis.KillAsync();
        foreach (int instance in new[] { 0, 1 })
        {
            using HttpResponseMessage refused = await gateways.ChatAsync(instance, key);
            string body = await refused.Content.ReadAsStringAsync();
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            refused.Headers.RetryAfter.ShouldNotBeNull();
            JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("service_unavailable_error");
            body.ShouldContain("Redis");
            body.ShouldContain("fail_closed");
        }

        await redis.StartAgainAsync();
        served += await RecoverAsync(gateways, key, redis);
        served += await ServeAsync(gateways, key, 2);

        await gateways.WaitSettledAsync();
        ((long)(await gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!).ShouldBe(CallNanos * served);
        gateways.Upstream.Requests.Count.ShouldBe(served, "no call was made upstream while its limits could not be counted");
    }

    /// <summary>Sends <paramref name="count"/> calls one at a time, alternating instances; returns how many were served (the rest must be budget refusals).</summary>
    private static async Task<int> ServeAsync(GatewayInstances gateways, string key, int count)
    {
        int served = 0;
        for (int i = 0; i < count; i++)
        {
            using HttpResponseMessage response = await gateways.ChatAsync(i % 2, key);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served++;
            }
            else
            {
                response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync());
            }
        }

        return served;
    }

    /// <summary>
    /// Waits until each instance counts in Redis again: Redis's copy of the key is dropped, a call sent, and the copy is
    /// back only if that instance read it into Redis. Returns how many calls were served meanwhile.
    /// </summary>
    private static async Task<int> RecoverAsync(GatewayInstances gateways, string key, RedisServer redis)
    {
        string hash = (string)(await gateways.ScalarAsync("SELECT hash FROM virtual_keys"))!;
        int served = 0;
        foreach (int instance in new[] { 0, 1 })
        {
            bool back = false;
            for (int attempt = 0; attempt < 60 && !back; attempt++)
            {
                await gateways.ForgetRedisCopyAsync("key", hash);
                using HttpResponseMessage response = await gateways.ChatAsync(instance, key);
                served += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
                back = response.StatusCode != HttpStatusCode.ServiceUnavailable && await gateways.RedisAccountAsync("key", hash, "seeded") is not null;
                if (!back)
                {
                    await Task.Delay(250);
                }
            }

            back.ShouldBeTrue($"instance {instance} did not go back to Redis on port {redis.Port} within 15 s of its restart");
        }

        return served;
    }
}
