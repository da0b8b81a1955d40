using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Allos.Storage;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The gateway as its own process with <c>ALLOS_DATABASE_URL</c>: its virtual keys live in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGatewayTests(PostgresServer server) : IDisposable
{
    private const string MasterKey = "sk-master-postgres-test-0123";
    private readonly string _data = Directory.CreateTempSubdirectory("allos-gw-pg-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Serve_DatabaseUrl_KeepsVirtualKeysInPostgresAndSaysWhere()
    {
        string database = await server.CreateDatabaseAsync("gateway");
        var builder = new NpgsqlConnectionStringBuilder(database);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _data };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Allos.Gateway.dll"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.Environment["ALLOS_HOME"] = _data;
        start.Environment["ALLOS_MASTER_KEY"] = MasterKey;
        start.Environment[AllosStore.DatabaseUrlVariable] = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        using Process process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string listening = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
            string notice = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
            listening.ShouldStartWith("Allos gateway listening on http://127.0.0.1:");
            notice.ShouldContain($"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}");

            using var http = new HttpClient { BaseAddress = new Uri(listening["Allos gateway listening on ".Length..].Split(',')[0].Trim().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
            using var generate = new HttpRequestMessage(HttpMethod.Post, "key/generate") { Content = new StringContent("""{"key_alias":"pg-bot"}""", Encoding.UTF8, "application/json") };
            generate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
            using HttpResponseMessage generated = await http.SendAsync(generate);
            generated.IsSuccessStatusCode.ShouldBeTrue(await generated.Content.ReadAsStringAsync());

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM virtual_keys WHERE alias = 'pg-bot'", connection);
            (await count.ExecuteScalarAsync()).ShouldBe(1L);
            Directory.EnumerateFiles(_data, "*.db", SearchOption.AllDirectories).ShouldBeEmpty();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
