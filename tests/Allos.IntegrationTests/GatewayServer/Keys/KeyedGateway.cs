using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Server;
using Allos.IntegrationTests.Gateway;
using Allos.IntegrationTests.Storage;
using Allos.Storage;
using Allos.Storage.Postgres;
using Allos.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>
/// The gateway with a master key and a real SQLite key store (or a PostgreSQL one, with its shared limits), in front of
/// one fake upstream (aliases <c>claude</c> and <c>gpt</c>); the keys' clock is fake, so expiry and budget periods move
/// without sleeping.
/// </summary>
public sealed class KeyedGateway : IAsyncDisposable
{
    public const string MasterKey = "sk-master-e2e-0123456789";

    private readonly TempDatabase _database = new();
    private WebApplication _app = null!;
    private Router _router = null!;
    private GatewayServerOptions _options = null!;

    public FakeProviderServer Upstream { get; private set; } = null!;

    private PostgresStore? _postgres;

    /// <summary>Gets the SQLite store (null on PostgreSQL).</summary>
    public SqliteStore Store { get; private set; } = null!;

    /// <summary>Gets the key store, of either kind.</summary>
    public IKeyStore Keys { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Gets the server's options (its key gate, for flushing spend to the store).</summary>
    public GatewayServerOptions Options => _options;

    /// <summary>Starts the gateway; <paramref name="configure"/> may add groups (see <see cref="Group"/>) and server settings before it starts.</summary>
    /// <param name="postgres">A PostgreSQL database to keep the keys in (its limits shared), instead of a SQLite file.</param>
    /// <param name="redis">A Redis server (URL) in front of that database's limits.</param>
    public static async Task<KeyedGateway> StartAsync(Action<KeyedGateway, RouterOptions, GatewayServerOptions>? configure = null, string? postgres = null, string? redis = null)
    {
        var gateway = new KeyedGateway { Upstream = await FakeProviderServer.StartAsync() };
        if (postgres is null)
        {
            gateway.Store = await gateway._database.OpenAsync();
            gateway.Keys = gateway.Store.Keys;
        }
        else
        {
            gateway._postgres = await PostgresStore.OpenAsync(new PostgresStoreOptions
            {
                ConnectionString = postgres,
                TimeProvider = gateway.Time,
                Redis = redis is null ? null : new Allos.Storage.Redis.RedisOptions { Url = redis },
            });
            gateway.Keys = gateway._postgres.Keys;
        }

        RouterOptions options = RouterFixture.Options(gateway.Group("claude", "anthropic/claude-sonnet-4-5"), gateway.Group("gpt", "openai/gpt-4o-mini"), gateway.Group("embed", "openai/text-embedding-3-small"));
        options.MaxRetries = 0;
        gateway._options = new GatewayServerOptions
        {
            Router = null!,
            Port = 0,
            MasterKey = MasterKey,
            Keys = gateway.Keys,
            TimeProvider = gateway.Time,
        };
        configure?.Invoke(gateway, options, gateway._options);
        gateway._router = new Router(options);
        gateway._options.Router = gateway._router;
        gateway._app = Allos.Gateway.Server.GatewayServer.Create(gateway._options);
        await gateway._app.StartAsync();
        gateway.Http = new HttpClient { BaseAddress = new Uri(gateway._app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        return gateway;
    }

    /// <summary>A group of one deployment of <paramref name="model"/> (<c>provider/model</c>) on the fake upstream.</summary>
    public ModelGroup Group(string alias, string model) => new(alias, new Deployment(model)
    {
        Name = alias,
        ApiKey = "sk-upstream-secret",
        Endpoint = Upstream.EndpointFor(model[..model.IndexOf('/', StringComparison.Ordinal)]),
    });

    /// <summary>Generates a key through the admin API and returns it.</summary>
    public async Task<string> GenerateAsync(string json = "{}")
    {
        using HttpResponseMessage response = await AdminAsync("/key/generate", json);
        string body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    public async Task<HttpResponseMessage> AdminAsync(string path, string? json = null)
    {
        using var request = new HttpRequestMessage(json is null ? HttpMethod.Get : HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        return await Http.SendAsync(request);
    }

    /// <summary>The key's live spend, as <c>/key/info</c> reports it.</summary>
    public async Task<decimal> SpendAsync(string key)
    {
        await _options.Gate.FlushAsync(); // Shared limits settle off the request path.
        using HttpResponseMessage response = await AdminAsync("/key/info?key=" + Uri.EscapeDataString(key));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("info").GetProperty("spend").GetDecimal();
    }

    /// <summary>Sends a one-message chat request in the caller's <paramref name="format"/> (<c>anthropic</c> or <c>openai</c>), with the key in the header that format's clients use.</summary>
    public async Task<HttpResponseMessage> ChatAsync(string format, string model, string? key, int maxTokens = 100, bool stream = false)
    {
        string streaming = stream ? "true" : "false";
        var request = format switch
        {
            "anthropic" => new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
            {
                Content = new StringContent($$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{streaming}},"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{streaming}},"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            },
        };
        using (request)
        {
            if (key is not null && format == "anthropic")
            {
                request.Headers.Add("anthropic-version", "2023-06-01");
                request.Headers.Add("x-api-key", key);
            }
            else if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            return await Http.SendAsync(request);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _router.Dispose();
        await Upstream.DisposeAsync();
        await _options.Gate.FlushAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        else
        {
            await Store.DisposeAsync();
        }

        _database.Dispose();
    }
}
