using System.Net;
using Allos.IntegrationTests.Storage.Redis;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>Every case of <see cref="SharedLimitsInstancesTests"/> again, with Redis counting the limits in front of the database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisSharedLimitsInstancesTests(PostgresServer server, RedisServer redis) : SharedLimitsInstancesTests(server)
{
    protected override Task<GatewayInstances> StartAsync(PostgresServer postgres) => GatewayInstances.StartAsync(postgres, 3, redis: redis);

    [Fact]
    public async Task Chat_WithRedis_CountsInRedis_AndChargesTheDatabase()
    {
        string key = await Gateways.GenerateAsync("""{"max_budget": 10, "max_parallel_requests": 5}""");
        foreach (int instance in new[] { 0, 1, 2 })
        {
            using HttpResponseMessage response = await Gateways.ChatAsync(instance, key);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await Gateways.WaitSettledAsync();
        string hash = (string)(await Gateways.ScalarAsync("SELECT hash FROM virtual_keys"))!;
        ((long)(await Gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!).ShouldBe(45_000_000L);
        // The reservations were Redis's, not the database's: its copy saw every settle, and holds nothing now.
        (await Gateways.RedisAccountAsync("key", hash, "settles")).ShouldBe(3);
        (await Gateways.RedisAccountAsync("key", hash, "busy")).ShouldBe(0);
        (await Gateways.RedisAccountAsync("key", hash, "held")).ShouldBe(0);
        ((long)(await Gateways.ScalarAsync("SELECT COUNT(*) FROM limit_windows"))!).ShouldBe(0);
    }
}
