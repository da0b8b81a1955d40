using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Server;
using Allos.Storage.Sqlite;
using Anthropic;
using Anthropic.Exceptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;

namespace Allos.ConformanceTests;

/// <summary>
/// Virtual keys as the official SDKs meet them: the gateway with a master key and a real SQLite key store (a fake clock
/// for expiry), and each refusal raised as the SDK's own typed error with its status: no key or an unknown one 401, a
/// model off the key's allow-list 403, an expired key 401, a spent budget 429, an upstream 429 429.
/// </summary>
public sealed class GatewayKeysSdkTests : IAsyncLifetime
{
    private const string MasterKey = "sk-master-sdk-0123456789";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "allos-sdk-keys-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeProviderServer _upstream = null!;
    private SqliteStore _store = null!;
    private Router _router = null!;
    private GatewayServerOptions _options = null!;
    private WebApplication _gateway = null!;
    private HttpClient _admin = null!;

    public static TheoryData<string> Sdks => new() { "openai", "anthropic" };

    public async Task InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync();
        _upstream.FallbackTurn = FakeTurn.Text("Hello.").WithUsage(0, 1000);
        Directory.CreateDirectory(_folder);
        _store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(_folder, "allos.db") });
        var options = new RouterOptions { MaxRetries = 0 };
        options.Groups.Add(new ModelGroup("claude", new Deployment("anthropic/claude-sonnet-4-5") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("anthropic") }));
        options.Groups.Add(new ModelGroup("gpt", new Deployment("openai/gpt-4o-mini") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("openai") }));
        _router = new Router(options);
        _options = new GatewayServerOptions { Router = _router, Port = 0, MasterKey = MasterKey, Keys = _store.Keys, TimeProvider = _time };
        _gateway = GatewayServer.Create(_options);
        await _gateway.StartAsync();
        _admin = new HttpClient { BaseAddress = new Uri(_gateway.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _router.Dispose();
        await _upstream.DisposeAsync();
        await _options.Gate.FlushAsync();
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task NoKeyOrUnknownKey_SdkRaises401(string sdk)
    {
        (await StatusAsync(sdk, "gpt", key: "")).ShouldBe(401);
        (await StatusAsync(sdk, "gpt", key: "sk-not-a-key-0000")).ShouldBe(401);
        _upstream.Requests.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task ModelOffTheAllowList_SdkRaises403(string sdk)
    {
        string key = await GenerateAsync("""{"models": ["gpt"]}""");

        (await StatusAsync(sdk, "gpt", key)).ShouldBe(200);
        (await StatusAsync(sdk, "claude", key)).ShouldBe(403);
    }

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task ExpiredKey_SdkRaises401(string sdk)
    {
        string key = await GenerateAsync("""{"duration": "1h"}""");
        (await StatusAsync(sdk, "claude", key)).ShouldBe(200);

        _time.Advance(TimeSpan.FromHours(1));

        (await StatusAsync(sdk, "claude", key)).ShouldBe(401);
    }

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task BudgetSpent_SdkRaises429(string sdk)
    {
        // One call spends $0.015 (1000 output tokens at $15/M); the second no longer fits.
        string key = await GenerateAsync("""{"max_budget": 0.016, "budget_duration": "1d"}""");

        (await StatusAsync(sdk, "claude", key)).ShouldBe(200);
        (await StatusAsync(sdk, "claude", key)).ShouldBe(429);
    }

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task Upstream429_SdkRaisesItsRateLimitError(string sdk)
    {
        string key = await GenerateAsync();
        _upstream.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after", "3"));

        (await StatusAsync(sdk, "gpt", key)).ShouldBe(429);
    }

    /// <summary>One chat call through the SDK: 200, or the status of the typed error it raised (any other exception fails the test).</summary>
    private async Task<int> StatusAsync(string sdk, string model, string key)
    {
        string url = _gateway.Urls.First().TrimEnd('/');
        if (sdk == "openai")
        {
            var client = new ChatClient(model, new ApiKeyCredential(key.Length == 0 ? "-" : key), new OpenAIClientOptions { Endpoint = new Uri(url + "/v1"), RetryPolicy = new ClientRetryPolicy(0) });
            try
            {
                await client.CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 1000 });
                return 200;
            }
            catch (ClientResultException error)
            {
                return error.Status;
            }
        }

        using IChatClient anthropic = new AnthropicClient { ApiKey = key.Length == 0 ? null : key, BaseUrl = url, MaxRetries = 0 }.AsIChatClient(model, defaultMaxOutputTokens: 1000);
        try
        {
            await anthropic.GetResponseAsync("Hi");
            return 200;
        }
        catch (AnthropicApiException error)
        {
            // The typed subclass is what callers catch; its status must agree with it.
            int status = (int)error.StatusCode;
            (error switch
            {
                AnthropicUnauthorizedException => 401,
                AnthropicForbiddenException => 403,
                AnthropicRateLimitException => 429,
                _ => -1,
            }).ShouldBe(status, $"the SDK raised {error.GetType().Name}");
            return status;
        }
    }

    private async Task<string> GenerateAsync(string json = "{}")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/key/generate") { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        using HttpResponseMessage response = await _admin.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }
}
