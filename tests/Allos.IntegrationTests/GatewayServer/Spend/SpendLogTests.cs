using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Allos.IntegrationTests.GatewayServer.Keys;

namespace Allos.IntegrationTests.GatewayServer.Spend;

/// <summary>
/// The spend log through the real gateway: requests in both ingress formats with a virtual key, recorded by the Router in
/// real SQLite and read back through <c>GET /spend/logs</c>.
/// </summary>
public sealed class SpendLogTests : IAsyncLifetime
{
    private const string KeyJson = """{"key_alias":"ci-bot","user_id":"alice","team_id":"research"}""";

    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await KeyedGateway.StartAsync((gateway, router, server) =>
        {
            router.Telemetry = gateway.Store.Telemetry;
            server.SpendLog = gateway.Store.Telemetry;
        });

        // Keys may name only teams that exist.
        foreach (string team in new[] { "research", "ops-team" })
        {
            using HttpResponseMessage created = await _gateway.AdminAsync("/team/new", $$"""{"team_id":"{{team}}"}""");
            created.IsSuccessStatusCode.ShouldBeTrue(await created.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string> Formats => new() { "anthropic", "openai" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task SpendLogs_ChatWithAKey_RowCarriesKeyHashAliasTeamUserModelTokensAndCost(string format)
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hello.").WithUsage(1000, 200, cachedInputTokens: 400, reasoningTokens: 50));

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "gpt", key))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        JsonElement row = (await LogsAsync("?api_key=" + Uri.EscapeDataString(key))).ShouldHaveSingleItem();
        row.GetProperty("api_key").GetString().ShouldBe(Sha256(key), "the key's hash, never the key");
        row.GetRawText().ShouldNotContain(key);
        row.GetProperty("metadata").GetProperty("user_api_key_alias").GetString().ShouldBe("ci-bot");
        row.GetProperty("team_id").GetString().ShouldBe("research");
        row.GetProperty("user").GetString().ShouldBe("alice", "the key's user_id");
        row.GetProperty("model_group").GetString().ShouldBe("gpt");
        row.GetProperty("model").GetString().ShouldBe("openai/gpt-4o-mini");
        row.GetProperty("model_id").GetString().ShouldBe("gpt", "the deployment's name");
        row.GetProperty("call_type").GetString().ShouldBe(format == "anthropic" ? "/v1/messages" : "/v1/chat/completions");
        row.GetProperty("prompt_tokens").GetInt64().ShouldBe(1000);
        row.GetProperty("completion_tokens").GetInt64().ShouldBe(200);
        row.GetProperty("total_tokens").GetInt64().ShouldBe(1200);
        row.GetProperty("metadata").GetProperty("cached_tokens").GetInt64().ShouldBe(400);
        row.GetProperty("metadata").GetProperty("reasoning_tokens").GetInt64().ShouldBe(50);
        row.GetProperty("status").GetString().ShouldBe("success");
        row.GetProperty("request_id").GetString().ShouldNotBeNullOrEmpty();
        row.GetProperty("metadata").GetProperty("latency_ms").GetDouble().ShouldBeGreaterThan(0);
        row.GetProperty("endTime").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(row.GetProperty("startTime").GetDateTimeOffset());

        // gpt-4o-mini: $0.15/M input ($0.075/M cached), $0.60/M output; /key/info counts the same spend.
        decimal spend = row.GetProperty("spend").GetDecimal();
        spend.ShouldBeGreaterThan(0m);
        (await _gateway.SpendAsync(key)).ShouldBe(spend, "/key/info and the spend log agree");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TheCallerTag_NeverReachesTheUpstream(string format)
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hello.").WithUsage(10, 2));
        _gateway.Upstream.Enqueue(FakeTurn.Embeddings([1f, 2f]).WithUsage(10, 0));

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "gpt", key))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var embed = new HttpRequestMessage(HttpMethod.Post, "v1/embeddings") { Content = new StringContent("""{"model":"embed","input":"hello"}""", Encoding.UTF8, "application/json") };
        embed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using (HttpResponseMessage response = await _gateway.Http.SendAsync(embed))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        _gateway.Upstream.Requests.Count.ShouldBe(2);
        foreach (RecordedRequest upstream in _gateway.Upstream.Requests)
        {
            upstream.Body.ShouldNotContain("allos.");
            upstream.Body.ShouldNotContain(Sha256(key));
            upstream.Body.ShouldNotContain("research");
        }
    }

    [Fact]
    public async Task SpendLogs_Stream_RecordsTimeToFirstToken()
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        _gateway.Upstream.Enqueue(FakeTurn.Text("Streamed slowly.").WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(30)).WithUsage(10, 4));

        using (HttpResponseMessage response = await _gateway.ChatAsync("openai", "gpt", key, stream: true))
        {
            (await response.Content.ReadAsStringAsync()).ShouldContain("[DONE]");
        }

        JsonElement row = (await LogsAsync("?api_key=" + Uri.EscapeDataString(key))).ShouldHaveSingleItem();
        JsonElement metadata = row.GetProperty("metadata");
        metadata.GetProperty("streaming").GetBoolean().ShouldBeTrue();
        double ttft = metadata.GetProperty("ttft_ms").GetDouble();
        ttft.ShouldBeGreaterThan(0);
        ttft.ShouldBeLessThanOrEqualTo(metadata.GetProperty("latency_ms").GetDouble());
        row.GetProperty("completionStartTime").ValueKind.ShouldBe(JsonValueKind.String);
        row.GetProperty("completion_tokens").GetInt64().ShouldBe(4);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task SpendLogs_FailedCall_RowHasFailureStatusAndNoSpend(string format)
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(400, "Bad request: the prompt is invalid.", "invalid_request_error"));

        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "gpt", key))
        {
            response.IsSuccessStatusCode.ShouldBeFalse();
        }

        JsonElement row = (await LogsAsync("?api_key=" + Uri.EscapeDataString(key))).ShouldHaveSingleItem();
        row.GetProperty("status").GetString().ShouldBe("failure");
        row.GetProperty("metadata").GetProperty("status").GetString().ShouldBe("error");
        row.GetProperty("metadata").GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
        row.GetProperty("spend").GetDecimal().ShouldBe(0m);
        row.GetProperty("api_key").GetString().ShouldBe(Sha256(key));
        row.GetProperty("team_id").GetString().ShouldBe("research");
    }

    [Fact]
    public async Task SpendLogs_Embeddings_RowCarriesTheKey()
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        _gateway.Upstream.Enqueue(FakeTurn.Embeddings([1f, 2f]).WithUsage(1_000_000, 0));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/embeddings")
        {
            Content = new StringContent("""{"model":"embed","input":"hello"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using (HttpResponseMessage response = await _gateway.Http.SendAsync(request))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        JsonElement row = (await LogsAsync("?api_key=" + Sha256(key))).ShouldHaveSingleItem();
        row.GetProperty("call_type").GetString().ShouldBe("/v1/embeddings");
        row.GetProperty("model_group").GetString().ShouldBe("embed");
        row.GetProperty("user").GetString().ShouldBe("alice");
        row.GetProperty("team_id").GetString().ShouldBe("research");
        row.GetProperty("spend").GetDecimal().ShouldBe(0.02m);
        (await _gateway.SpendAsync(key)).ShouldBe(0.02m);
    }

    [Fact]
    public async Task SpendLogs_Filters_SelectByKeyUserTeamModelDatesAndLimit()
    {
        string bot = await _gateway.GenerateAsync(KeyJson);
        string other = await _gateway.GenerateAsync("""{"key_alias":"ops","user_id":"bob","team_id":"ops-team"}""");
        foreach ((string key, string model) in new[] { (bot, "gpt"), (bot, "claude"), (other, "gpt") })
        {
            _gateway.Upstream.Enqueue(FakeTurn.Text("ok").WithUsage(10, 2));
            using HttpResponseMessage response = await _gateway.ChatAsync("openai", model, key);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        (await LogsAsync("")).Count.ShouldBe(3);
        (await LogsAsync("?api_key=" + Uri.EscapeDataString(bot))).Count.ShouldBe(2);
        (await LogsAsync("?user_id=bob")).ShouldHaveSingleItem().GetProperty("api_key").GetString().ShouldBe(Sha256(other));
        (await LogsAsync("?team_id=research")).Count.ShouldBe(2);
        (await LogsAsync("?team_id=research&model=claude")).ShouldHaveSingleItem().GetProperty("model_group").GetString().ShouldBe("claude");
        (await LogsAsync("?model=openai/gpt-4o-mini")).Count.ShouldBe(2, "a model id matches the calls it served");
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        (await LogsAsync($"?start_date={today}&end_date={today}")).Count.ShouldBe(3, "an end date includes its whole day");
        (await LogsAsync($"?start_date={tomorrow}")).ShouldBeEmpty();
        (await LogsAsync($"?end_date={yesterday}")).ShouldBeEmpty();

        List<JsonElement> newest = await LogsAsync("?limit=1");
        newest.ShouldHaveSingleItem().GetProperty("api_key").GetString().ShouldBe(Sha256(other), "newest first");

        using HttpResponseMessage bad = await _gateway.AdminAsync("/spend/logs?limit=0");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("limit must be a whole number from 1 to 1000");
        using HttpResponseMessage badDate = await _gateway.AdminAsync("/spend/logs?start_date=someday");
        badDate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badDate.Content.ReadAsStringAsync()).ShouldContain("start_date must be a date (2026-12-01)");
    }

    [Fact]
    public async Task SpendLogs_MasterKeyRequest_IsLoggedUnderTheMasterKeysHash()
    {
        _gateway.Upstream.Enqueue(FakeTurn.Text("ok").WithUsage(10, 2));
        using (HttpResponseMessage response = await _gateway.ChatAsync("openai", "gpt", KeyedGateway.MasterKey))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        JsonElement row = (await LogsAsync("?api_key=" + Uri.EscapeDataString(KeyedGateway.MasterKey))).ShouldHaveSingleItem();
        row.GetProperty("api_key").GetString().ShouldBe(Sha256(KeyedGateway.MasterKey));
    }

    [Fact]
    public async Task SpendLogs_WithoutTheMasterKey_401()
    {
        string key = await _gateway.GenerateAsync(KeyJson);
        foreach (string? bearer in new[] { null, key })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/spend/logs");
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using HttpResponseMessage response = await _gateway.Http.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, bearer is null ? "no key" : "a virtual key");
            (await response.Content.ReadAsStringAsync()).ShouldContain("needs the master key");
        }
    }

    private async Task<List<JsonElement>> LogsAsync(string query)
    {
        using HttpResponseMessage response = await _gateway.AdminAsync("/spend/logs" + query);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(row => row.Clone())];
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
