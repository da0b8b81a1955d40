using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Allos.Storage;
using Allos.IntegrationTests.Storage.Redis;
using Npgsql;
using StackExchange.Redis;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary>
/// Several gateway processes (<c>Allos.Gateway.dll</c>) on one PostgreSQL database, behind no load balancer: the tests
/// spread requests over them themselves. One fake upstream serves <c>claude</c> (anthropic/claude-sonnet-4-5).
/// </summary>
public sealed class GatewayInstances : IAsyncDisposable
{
    public const string MasterKey = "sk-master-instances-0123";

    private readonly List<Process> _processes = [];
    private readonly string _data = Directory.CreateTempSubdirectory("allos-gw-instances-").FullName;

    private GatewayInstances(string database, FakeProviderServer upstream)
    {
        Database = database;
        Upstream = upstream;
    }

    public string Database { get; }

    /// <summary>Gets the Redis in front of the limits, if any.</summary>
    public RedisServer? Redis { get; private init; }

    public FakeProviderServer Upstream { get; }

    public IReadOnlyList<HttpClient> Clients { get; private set; } = [];

    /// <param name="config">The instances' allos.yaml, given the upstream; default: <c>claude</c> on it.</param>
    /// <param name="redis">A Redis server to put in front of the database's limits, with its <c>on_failure</c>.</param>
    public static async Task<GatewayInstances> StartAsync(PostgresServer server, int count, Func<FakeProviderServer, string>? config = null, RedisServer? redis = null, string onFailure = "fail_open")
    {
        string database = await server.CreateDatabaseAsync("instances");
        var instances = new GatewayInstances(database, await FakeProviderServer.StartAsync()) { Redis = redis };
        instances.Upstream.FallbackTurn = FakeTurn.Text("Hello.").WithUsage(0, 1000);
        string yaml = config?.Invoke(instances.Upstream) ?? $"""
            models:
              claude:
                deployments:
                  - model: anthropic/claude-sonnet-4-5
                    api_key: sk-upstream
                    base_url: {instances.Upstream.EndpointFor("anthropic")}
            """;
        if (redis is not null)
        {
            yaml += $"""

                redis:
                  url: {redis.Url}
                  on_failure: {onFailure}
                """;
        }

        File.WriteAllText(Path.Combine(instances._data, "allos.yaml"), yaml);

        // Started one after another: the first applies the migrations, the others find them applied.
        var clients = new List<HttpClient>();
        for (int i = 0; i < count; i++)
        {
            clients.Add(await instances.StartOneAsync());
        }

        instances.Clients = clients;
        return instances;
    }

    private async Task<HttpClient> StartOneAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(Database);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _data };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Allos.Gateway.dll"));
        foreach (string arg in new[] { "--config", "allos.yaml", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ALLOS_HOME"] = _data;
        start.Environment["ALLOS_MASTER_KEY"] = MasterKey;
        // Three pools within the server's max_connections, as a deployment must size them.
        start.Environment[AllosStore.DatabaseUrlVariable] = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}?maximum_pool_size=40";
        Process process = Process.Start(start)!;
        _processes.Add(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? listening = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (listening is null || !listening.StartsWith("Allos gateway listening on ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The gateway did not start: {listening}\n{await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }

        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // Keep the pipe drained.
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        string url = listening["Allos gateway listening on ".Length..].Split(',')[0].Trim().TrimEnd('/') + "/";
        return new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Generates a key through instance <paramref name="instance"/>'s admin API.</summary>
    public async Task<string> GenerateAsync(string json, int instance = 0)
    {
        using HttpResponseMessage response = await AdminAsync(instance, "key/generate", json);
        string body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    public async Task<HttpResponseMessage> AdminAsync(int instance, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        return await Clients[instance].SendAsync(request);
    }

    /// <summary>Sends one chat request with <paramref name="key"/> to instance <paramref name="instance"/> and returns the status.</summary>
    public async Task<HttpResponseMessage> ChatAsync(int instance, string key, int maxTokens = 1000, string model = "claude")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await Clients[instance].SendAsync(request);
    }

    /// <summary>Kills instance <paramref name="instance"/> outright, as a crash would: no drain, no settles written, no goodbye to the database.</summary>
    public async Task KillAsync(int instance)
    {
        Process process = _processes[instance];
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Runs a query on the shared database.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Waits until no call holds a reservation any more (every settle written), in the database and in Redis, for at most 30 seconds.</summary>
    public async Task WaitSettledAsync()
    {
        for (int i = 0; i < 300 && await HeldAsync() > 0; i++)
        {
            await Task.Delay(100);
        }

        (await HeldAsync()).ShouldBe(0, "calls still hold reservations 30 s after they ended");
    }

    /// <summary>Reads a field of Redis's copy of an account (<c>key</c>, hash), as <see cref="Allos.Storage.Redis.RedisLimitScripts"/> lays it out.</summary>
    public async Task<long?> RedisAccountAsync(string kind, string id, string field)
    {
        await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Redis!.Port}");
        RedisValue value = await redis.GetDatabase().HashGetAsync($"{RedisPrefix}a:{kind}:{id}", field);
        return value.IsNull ? null : (long)value;
    }

    /// <summary>Drops Redis's copy of an account, as a change through an instance does; the next call through Redis reads it again.</summary>
    public async Task ForgetRedisCopyAsync(string kind, string id)
    {
        await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Redis!.Port}");
        await redis.GetDatabase().HashDeleteAsync($"{RedisPrefix}a:{kind}:{id}", "seeded");
    }

    private string RedisPrefix
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(Database);
            return Allos.Storage.Redis.RedisLimitScripts.Prefix($"{builder.Host}:{builder.Port}/{builder.Database}");
        }
    }

    private async Task<long> HeldAsync() => (await LeasesAsync()).Count;

    /// <summary>Gets the reservations held now, in the database and in Redis (when it is up), and their estimates summed (nanodollars).</summary>
    public async Task<(long Count, long Estimates)> LeasesAsync()
    {
        long count = (long)(await ScalarAsync("SELECT COUNT(*) FROM limit_leases"))!;
        long estimates = (long)(await ScalarAsync("SELECT COALESCE(SUM(amount_nanos), 0)::bigint FROM limit_leases"))!;
        if (Redis is not null)
        {
            try
            {
                await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Redis.Port},abortConnect=false,connectTimeout=1000");
                foreach (RedisKey lease in redis.GetServers()[0].Keys(pattern: RedisPrefix + "l:*"))
                {
                    count++;
                    estimates += (long)await redis.GetDatabase().HashGetAsync(lease, "amount");
                }
            }
            catch (RedisConnectionException)
            {
                // Redis is down: it holds nothing.
            }
        }

        return (count, estimates);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (HttpClient client in Clients)
        {
            client.Dispose();
        }

        foreach (Process process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }

        await Upstream.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
