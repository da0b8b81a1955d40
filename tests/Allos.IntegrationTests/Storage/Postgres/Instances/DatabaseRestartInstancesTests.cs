using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>Two gateway processes whose PostgreSQL server stops and starts again mid-run (a private server: the shared one stays up).</summary>
public sealed class DatabaseRestartInstancesTests
{
    [Fact]
    public async Task Chat_DatabaseRestartedMidRun_RequestsFailTyped_ThenRecover_AndNoSpendIsLost()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        try
        {
            await using GatewayInstances gateways = await GatewayInstances.StartAsync(server, 2);
            string key = await gateways.GenerateAsync("""{"max_budget": 10, "budget_duration": "1d"}""");
            int served = 0;
            foreach (int instance in new[] { 0, 1 })
            {
                using HttpResponseMessage response = await gateways.ChatAsync(instance, key);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                served++;
            }

            await server.StopAsync();
            foreach (int instance in new[] { 0, 1 })
            {
                using HttpResponseMessage refused = await gateways.ChatAsync(instance, key);
                string body = await refused.Content.ReadAsStringAsync();
                refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
                refused.Headers.RetryAfter.ShouldNotBeNull();
                JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("service_unavailable_error");
                body.ShouldContain("PostgreSQL");
            }

            await server.StartAgainAsync();
            foreach (int instance in new[] { 0, 1 })
            {
                HttpStatusCode status = HttpStatusCode.ServiceUnavailable;
                for (int attempt = 0; attempt < 60 && status != HttpStatusCode.OK; attempt++)
                {
                    using HttpResponseMessage response = await gateways.ChatAsync(instance, key);
                    status = response.StatusCode;
                    if (status == HttpStatusCode.OK)
                    {
                        served++;
                    }
                    else
                    {
                        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
                        await Task.Delay(500);
                    }
                }

                status.ShouldBe(HttpStatusCode.OK, $"instance {instance} did not recover within 30 s of the restart");
            }

            // Every call served was charged once, the outage's refusals never.
            await gateways.WaitSettledAsync();
            ((long)(await gateways.ScalarAsync("SELECT spend_nanos FROM virtual_keys"))!).ShouldBe(15_000_000L * served);
            gateways.Upstream.Requests.Count.ShouldBe(served);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
