using System.Net;
using System.Text.Json;
using Allos.IntegrationTests.GatewayServer.Keys;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>The health endpoints: liveliness always answers; readiness says whether the stores answer.</summary>
public sealed class HealthEndpointsTests : IAsyncLifetime
{
    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await KeyedGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using HttpResponseMessage response = await _gateway.Http.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Readiness_StoreAnswers_200Connected_WithoutAKey()
    {
        (HttpStatusCode status, JsonElement body) = await GetAsync("/health/readiness");

        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("status").GetString().ShouldBe("ready");
        body.GetProperty("db").GetString().ShouldBe("connected");
        (await GetAsync("/health/liveliness")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Readiness_StoreBroken_503NamingTheStore_WhileLivelinessStillAnswers()
    {
        // The database deleted under the running gateway (a botched cleanup or restore): its tables are gone.
        foreach (string file in new[] { "", "-wal", "-shm" }.Select(suffix => _gateway.Store.FilePath + suffix).Where(File.Exists))
        {
            File.Delete(file);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        (HttpStatusCode status, JsonElement body) = await GetAsync("/health/readiness");

        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToString());
        body.GetProperty("status").GetString().ShouldBe("not_ready");
        body.GetProperty("db").GetString().ShouldBe("unreachable");
        body.GetProperty("error").GetString()!.ShouldContain("key store");
        (await GetAsync("/health/liveliness")).Status.ShouldBe(HttpStatusCode.OK);
    }
}
