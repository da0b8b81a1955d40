using System.Net;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>A deployment that one gateway process cools down is skipped by another on the same database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedCooldownInstancesTests(PostgresServer server)
{
    [Fact]
    public async Task Chat_DeploymentCooledDownByOneInstance_IsSkippedByTheOther()
    {
        await using FakeProviderServer healthy = await FakeProviderServer.StartAsync();
        healthy.FallbackTurn = FakeTurn.Text("healthy").WithUsage(1, 1);
        await using GatewayInstances gateways = await GatewayInstances.StartAsync(server, 2, sick => $"""
            models:
              pool:
                strategy: priority
                deployments:
                  - model: anthropic/claude-sonnet-4-5
                    name: sick
                    api_key: sk-a
                    base_url: {sick.EndpointFor("anthropic")}
                  - model: anthropic/claude-sonnet-4-5
                    name: well
                    api_key: sk-b
                    base_url: {healthy.EndpointFor("anthropic")}
            router:
              cooldown:
                failures: 3
                duration: 10m
            """);
        gateways.Upstream.FallbackTurn = FakeTurn.ProviderError(503, "Service unavailable", "server_error");
        string key = await gateways.GenerateAsync("{}");

        // Instance 0 tries the sick deployment first every time, until its third failure cools it down.
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await gateways.ChatAsync(0, key, maxTokens: 10, model: "pool");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        int failed = gateways.Upstream.Requests.Count;
        failed.ShouldBeGreaterThanOrEqualTo(3);
        for (int i = 0; i < 50 && (long)(await gateways.ScalarAsync("SELECT COUNT(*) FROM deployment_cooldowns"))! == 0; i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000); // Changes reach every instance within a second: the row is written with its notification.

        using (HttpResponseMessage other = await gateways.ChatAsync(1, key, maxTokens: 10, model: "pool"))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.OK, await other.Content.ReadAsStringAsync());
        }

        gateways.Upstream.Requests.Count.ShouldBe(failed, "instance 1 skips the deployment instance 0 cooled down, without failing on it first");
    }
}
