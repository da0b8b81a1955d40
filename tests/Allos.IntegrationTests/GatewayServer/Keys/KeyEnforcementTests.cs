using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>Virtual keys enforced on the model endpoints end to end: real HTTP, real SQLite, a fake upstream.</summary>
public class KeyEnforcementTests : IAsyncLifetime
{
    public static readonly TheoryData<string> Formats = new() { "anthropic", "openai" };

    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await StartGatewayAsync();
        _gateway.Upstream.FallbackTurn = FakeTurn.Text("Hello.").WithUsage(0, 1000);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>Starts the gateway under test: on SQLite here, on PostgreSQL's shared limits in the derived class.</summary>
    protected virtual Task<KeyedGateway> StartGatewayAsync() => KeyedGateway.StartAsync();

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("error");
    }

    /// <summary>The error's type as the caller's format names it (both formats have a <c>type</c> inside <c>error</c>).</summary>
    private static string TypeOf(string format, JsonElement error) => format is "anthropic" or "openai" ? error.GetProperty("type").GetString()! : "";

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_NoKeyOrBadKey_401InTheCallersFormat_AndNothingReachesTheUpstream(string format)
    {
        foreach (string? key in new[] { null, "sk-not-a-key-of-this-gateway" })
        {
            using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key);
            JsonElement error = await ErrorAsync(response, HttpStatusCode.Unauthorized);
            TypeOf(format, error).ShouldBe("authentication_error");
            error.GetProperty("message").GetString()!.ShouldNotContain("sk-not-a-key");
        }

        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_ValidKeyOrMasterKey_200_AndTheSpendIsCounted(string format)
    {
        string key = await _gateway.GenerateAsync();

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", KeyedGateway.MasterKey))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // 1000 output tokens of claude-sonnet-4-5 at $15 per million.
        (await _gateway.SpendAsync(key)).ShouldBe(0.015m);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_StreamedAnswer_SettlesWithTheStreamsUsage(string format)
    {
        string key = await _gateway.GenerateAsync();

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key, stream: true);
        await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _gateway.SpendAsync(key)).ShouldBe(0.015m);
    }

    [Fact]
    public async Task Embeddings_KeyRequired_AndTheSpendIsCountedAtTheInputPrice()
    {
        string key = await _gateway.GenerateAsync();
        _gateway.Upstream.Enqueue(FakeTurn.Embeddings([1f, 2f]).WithUsage(1_000_000, 0));
        const string body = """{"model":"embed","input":"hello"}""";

        using (var anonymous = new HttpRequestMessage(HttpMethod.Post, "v1/embeddings") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") })
        using (HttpResponseMessage refused = await _gateway.Http.SendAsync(anonymous))
        {
            (await ErrorAsync(refused, HttpStatusCode.Unauthorized)).GetProperty("type").GetString().ShouldBe("authentication_error");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/embeddings") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using HttpResponseMessage response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        // A million input tokens of text-embedding-3-small at $0.02 per million.
        (await _gateway.SpendAsync(key)).ShouldBe(0.02m);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_ModelNotAllowed_403(string format)
    {
        string key = await _gateway.GenerateAsync("""{"models": ["gpt"]}""");

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key);

        JsonElement error = await ErrorAsync(response, HttpStatusCode.Forbidden);
        TypeOf(format, error).ShouldBe("permission_error");
        error.GetProperty("message").GetString()!.ShouldContain("may use: gpt");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_BudgetSpent_429WithRetryAfterUntilTheBudgetResets(string format)
    {
        string key = await _gateway.GenerateAsync("""{"max_budget": 0.016, "budget_duration": "1d"}""");
        using (HttpResponseMessage first = await _gateway.ChatAsync(format, "claude", key, maxTokens: 1000))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key, maxTokens: 1000);

        JsonElement error = await ErrorAsync(response, HttpStatusCode.TooManyRequests);
        TypeOf(format, error).ShouldBe(format == "anthropic" ? "rate_limit_error" : "budget_exceeded");
        error.GetProperty("message").GetString()!.ShouldContain("max_budget");
        int retryAfter = int.Parse(response.Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.ShouldBeInRange(86_000, 86_400);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_200ConcurrentRequests_BudgetForAboutTen_NeverOverspends(string format)
    {
        // Each call reserves about $0.015 (1000 output tokens at $15/M, plus its input) and spends exactly $0.015.
        string key = await _gateway.GenerateAsync("""{"max_budget": 0.155, "budget_duration": "1d"}""");

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => _gateway.ChatAsync(format, "claude", key, maxTokens: 1000)));

        int admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        responses.Where(r => r.StatusCode != HttpStatusCode.OK).ShouldAllBe(r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Headers.Contains("retry-after"));
        admitted.ShouldBeInRange(1, 10);
        decimal spend = await _gateway.SpendAsync(key);
        spend.ShouldBe(0.015m * admitted);
        spend.ShouldBeLessThanOrEqualTo(0.155m);
        _gateway.Upstream.Requests.Count.ShouldBe(admitted);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_ExpiredKey_401AtTheNextRequest(string format)
    {
        string key = await _gateway.GenerateAsync("""{"duration": "1h"}""");
        using (HttpResponseMessage before = await _gateway.ChatAsync(format, "claude", key))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        _gateway.Time.Advance(TimeSpan.FromHours(1));
        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key);

        JsonElement error = await ErrorAsync(response, HttpStatusCode.Unauthorized);
        error.GetProperty("message").GetString()!.ShouldContain("expired");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_DeletedOrBlockedKey_RefusedAtTheNextRequest(string format)
    {
        string deleted = await _gateway.GenerateAsync();
        string blocked = await _gateway.GenerateAsync();
        foreach (string key in new[] { deleted, blocked })
        {
            using HttpResponseMessage before = await _gateway.ChatAsync(format, "claude", key);
            before.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await _gateway.AdminAsync("/key/delete", $$"""{"keys": ["{{deleted}}"]}""")).Dispose();
        (await _gateway.AdminAsync("/key/update", $$"""{"key": "{{blocked}}", "blocked": true}""")).Dispose();

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", deleted))
        {
            await ErrorAsync(response, HttpStatusCode.Unauthorized);
        }

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", blocked))
        {
            (await ErrorAsync(response, HttpStatusCode.Unauthorized)).GetProperty("message").GetString()!.ShouldContain("blocked");
        }
    }

    [Fact]
    public async Task Models_NeedsAKey_AndListsOnlyWhatTheKeyMayUse()
    {
        string key = await _gateway.GenerateAsync("""{"models": ["gpt"]}""");

        using (var anonymous = new HttpRequestMessage(HttpMethod.Get, "/v1/models"))
        using (HttpResponseMessage response = await _gateway.Http.SendAsync(anonymous))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using HttpResponseMessage listed = await _gateway.Http.SendAsync(request);
        string body = await listed.Content.ReadAsStringAsync();

        listed.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ShouldBe(["gpt"]);
    }

    [Fact]
    public async Task CountTokens_NeedsAKeyButSpendsNothing()
    {
        string key = await _gateway.GenerateAsync("""{"rpm_limit": 1}""");
        const string body = """{"model":"gpt","messages":[{"role":"user","content":"Hi"}]}""";

        foreach (string? given in new[] { null, key, key })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages/count_tokens") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            if (given is not null)
            {
                request.Headers.Add("x-api-key", given);
            }

            using HttpResponseMessage response = await _gateway.Http.SendAsync(request);
            response.StatusCode.ShouldBe(given is null ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }
}
