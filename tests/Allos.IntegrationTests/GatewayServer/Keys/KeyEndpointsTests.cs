using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Server;
using Allos.Gateway.Server.Keys;
using Allos.IntegrationTests.Gateway;
using Allos.IntegrationTests.Storage;
using Allos.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>The key admin API over real HTTP (Kestrel on 127.0.0.1:0) with a real SQLite key store.</summary>
public sealed class KeyEndpointsTests : IAsyncLifetime, IDisposable
{
    private const string Master = "sk-master-0123456789";

    private readonly TempDatabase _database = new();
    private SqliteStore _store = null!;
    private Router _router = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _store = await _database.OpenAsync();
        _router = new Router(RouterFixture.Options());
        (_app, _http) = await StartAsync(new GatewayServerOptions { Router = _router, Port = 0, MasterKey = Master, Keys = _store.Keys });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _router.Dispose();
        await _store.DisposeAsync();
    }

    public void Dispose() => _database.Dispose();

    private static async Task<(WebApplication App, HttpClient Http)> StartAsync(GatewayServerOptions options)
    {
        WebApplication app = Allos.Gateway.Server.GatewayServer.Create(options);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") });
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, string? key = Master, HttpClient? http = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return (http ?? _http).SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> GenerateAsync(string json) => await JsonAsync(await SendAsync(HttpMethod.Post, "key/generate", json));

    [Fact]
    public async Task Generate_ReturnsTheKeyOnce_AndStoresOnlyItsHash()
    {
        await JsonAsync(await SendAsync(HttpMethod.Post, "team/new", """{"team_id": "search"}""")); // A key's team must exist.
        JsonElement generated = await GenerateAsync("""
            {"key_alias": "ci", "models": ["fast"], "max_budget": 5, "budget_duration": "30d", "rpm_limit": 10, "tpm_limit": 5000,
             "max_parallel_requests": 2, "duration": "1h", "user_id": "ann", "team_id": "search", "metadata": {"env": "ci"}, "soft_budget": 4}
            """);

        string key = generated.GetProperty("key").GetString()!;
        key.ShouldStartWith("sk-");
        key.Length.ShouldBe(35); // "sk-" and 32 base64url characters: 192 random bits.
        generated.GetProperty("token").GetString().ShouldBe(VirtualKeys.Hash(key));
        generated.GetProperty("key_alias").GetString().ShouldBe("ci");
        generated.GetProperty("max_budget").GetDecimal().ShouldBe(5m);
        generated.GetProperty("rpm_limit").GetInt32().ShouldBe(10);
        generated.GetProperty("metadata").GetProperty("env").GetString().ShouldBe("ci");
        DateTimeOffset.Parse(generated.GetProperty("expires").GetString()!, null).ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));

        // Nowhere in the database file is the key itself.
        await _store.DisposeAsync();
        (await File.ReadAllBytesAsync(_database.Path)).AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)).ShouldBe(-1);
        Convert.ToInt64(_database.Scalar($"SELECT COUNT(*) FROM virtual_keys WHERE hash = '{VirtualKeys.Hash(key)}'")).ShouldBe(1);
        _store = await _database.OpenAsync();
    }

    [Fact]
    public async Task Info_ByKeyOrHash_ReportsLimitsAndSpend_WithoutTheKey()
    {
        JsonElement generated = await GenerateAsync("""{"max_budget": 2.5, "models": ["fast"]}""");
        string key = generated.GetProperty("key").GetString()!;
        await _store.Keys.AddSpendAsync(VirtualKeys.Hash(key), 0.75m);

        foreach (string given in new[] { key, VirtualKeys.Hash(key) })
        {
            HttpResponseMessage response = await SendAsync(HttpMethod.Get, $"key/info?key={Uri.EscapeDataString(given)}");
            string text = await response.Content.ReadAsStringAsync();
            JsonElement info = (await JsonAsync(response)).GetProperty("info");
            info.GetProperty("spend").GetDecimal().ShouldBe(0.75m);
            info.GetProperty("max_budget").GetDecimal().ShouldBe(2.5m);
            info.GetProperty("models")[0].GetString().ShouldBe("fast");
            text.ShouldNotContain(key);
        }
    }

    [Fact]
    public async Task Update_ChangesOnlyTheGivenFields_AndNullClearsALimit()
    {
        string key = (await GenerateAsync("""{"key_alias": "a", "rpm_limit": 5, "max_budget": 1}""")).GetProperty("key").GetString()!;

        JsonElement updated = await JsonAsync(await SendAsync(HttpMethod.Post, "key/update", $$"""{"key": "{{key}}", "rpm_limit": null, "blocked": true, "models": ["fast"]}"""));

        updated.GetProperty("rpm_limit").ValueKind.ShouldBe(JsonValueKind.Null);
        updated.GetProperty("blocked").GetBoolean().ShouldBeTrue();
        updated.GetProperty("max_budget").GetDecimal().ShouldBe(1m);
        updated.GetProperty("key_alias").GetString().ShouldBe("a");
        (await _store.Keys.GetAsync(VirtualKeys.Hash(key)))!.Models.ShouldBe(["fast"]);
    }

    [Fact]
    public async Task Delete_RemovesTheKeys_AndList_ReportsWhatIsLeft()
    {
        string first = (await GenerateAsync("""{"user_id": "ann"}""")).GetProperty("key").GetString()!;
        string second = (await GenerateAsync("""{"user_id": "bob"}""")).GetProperty("key").GetString()!;

        JsonElement list = await JsonAsync(await SendAsync(HttpMethod.Get, "key/list"));
        list.GetProperty("total_count").GetInt32().ShouldBe(2);
        JsonElement ann = await JsonAsync(await SendAsync(HttpMethod.Get, "key/list?user_id=ann&return_full_object=true"));
        ann.GetProperty("keys")[0].GetProperty("token").GetString().ShouldBe(VirtualKeys.Hash(first));

        JsonElement deleted = await JsonAsync(await SendAsync(HttpMethod.Post, "key/delete", $$"""{"keys": ["{{first}}"]}"""));

        deleted.GetProperty("deleted_keys")[0].GetString().ShouldBe(first);
        JsonElement after = await JsonAsync(await SendAsync(HttpMethod.Get, "key/list"));
        after.GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ShouldBe([VirtualKeys.Hash(second)]);
        await JsonAsync(await SendAsync(HttpMethod.Post, "key/delete", $$"""{"keys": ["{{first}}"]}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminApi_WithoutOrWithWrongMasterKey_401_AndAVirtualKeyIsNotAMasterKey()
    {
        string key = (await GenerateAsync("{}")).GetProperty("key").GetString()!;

        await JsonAsync(await SendAsync(HttpMethod.Get, "key/list", key: null), HttpStatusCode.Unauthorized);
        await JsonAsync(await SendAsync(HttpMethod.Get, "key/list", key: "sk-wrong"), HttpStatusCode.Unauthorized);
        JsonElement error = await JsonAsync(await SendAsync(HttpMethod.Post, "key/generate", "{}", key: key), HttpStatusCode.Unauthorized);
        error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("master key");
    }

    [Theory]
    [InlineData("""{"max_budget": -1}""", "max_budget")]
    [InlineData("""{"rpm_limit": 1.5}""", "rpm_limit")]
    [InlineData("""{"duration": "soon"}""", "duration")]
    [InlineData("""{"models": "fast"}""", "models")]
    [InlineData("""{"key": "sk-mine"}""", "key")]
    [InlineData("""[1]""", null)]
    [InlineData("""{"max_budget": """, null)]
    public async Task Generate_BadBody_400SayingWhatToFix(string json, string? param)
    {
        JsonElement error = (await JsonAsync(await SendAsync(HttpMethod.Post, "key/generate", json), HttpStatusCode.BadRequest)).GetProperty("error");

        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        if (param is not null)
        {
            error.GetProperty("param").GetString().ShouldBe(param);
            error.GetProperty("message").GetString()!.ShouldContain(param);
        }
    }

    [Fact]
    public async Task Generate_DuplicateAlias_400NamingIt()
    {
        await GenerateAsync("""{"key_alias": "dup"}""");

        JsonElement error = await JsonAsync(await SendAsync(HttpMethod.Post, "key/generate", """{"key_alias": "dup"}"""), HttpStatusCode.BadRequest);

        error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("'dup'");
    }

    [Fact]
    public async Task AdminApi_WithoutMasterKey_RefusesSayingHowToSetOne()
    {
        (WebApplication app, HttpClient http) = await StartAsync(new GatewayServerOptions { Router = _router, Port = 0, Keys = _store.Keys });
        await using (app)
        using (http)
        {
            JsonElement error = await JsonAsync(await SendAsync(HttpMethod.Post, "key/generate", "{}", http: http), HttpStatusCode.Forbidden);

            error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("ALLOS_MASTER_KEY");
        }
    }

    [Fact]
    public void MasterKey_AllosMasterKeyWinsOverGatewayMasterKey_BlankIsUnset()
    {
        var settings = new Allos.Configuration.GatewaySettings { MasterKey = "sk-yaml" };

        GatewayCommandLine.MasterKey(name => name == "ALLOS_MASTER_KEY" ? "sk-env" : null, settings).ShouldBe("sk-env");
        GatewayCommandLine.MasterKey(name => name == "ALLOS_MASTER_KEY" ? "  " : null, settings).ShouldBe("sk-yaml");
        GatewayCommandLine.MasterKey(_ => null, null).ShouldBeNull();
    }

    [Fact]
    public void Create_NonLoopbackHostWithoutMasterKey_RefusesWithTheReason()
    {
        var error = Should.Throw<InvalidOperationException>(() => Allos.Gateway.Server.GatewayServer.Create(new GatewayServerOptions { Router = _router, Host = "0.0.0.0", Port = 0 }));

        error.Message.ShouldContain("ALLOS_MASTER_KEY");
        Allos.Gateway.Server.GatewayServer.ExposureProblem(new GatewayServerOptions { Router = _router, Host = "::1" }).ShouldBeNull();
        Allos.Gateway.Server.GatewayServer.ExposureProblem(new GatewayServerOptions { Router = _router, Host = "0.0.0.0", MasterKey = Master }).ShouldBeNull();
    }
}
