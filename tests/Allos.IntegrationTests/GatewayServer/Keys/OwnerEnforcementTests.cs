using System.Net;
using System.Text.Json;
using Allos.Storage;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>Team and user budgets, limits and models enforced across their keys end to end: real HTTP, real SQLite, a fake upstream.</summary>
public class OwnerEnforcementTests : IAsyncLifetime
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

    private async Task<JsonElement> AdminJsonAsync(string path, string? json = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await _gateway.AdminAsync(path, json);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<decimal> OwnerSpendAsync(string kind, string id)
    {
        await _gateway.Options.Gate.FlushAsync(); // Shared limits settle off the request path.
        return (await AdminJsonAsync($"/{kind}/info?{kind}_id={id}")).GetProperty($"{kind}_info").GetProperty("spend").GetDecimal();
    }

    private async Task<HttpStatusCode> StatusAsync(string format, string model, string key)
    {
        using HttpResponseMessage response = await _gateway.ChatAsync(format, model, key, maxTokens: 1000);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_200ConcurrentRequestsOverTwoKeys_TeamBudgetForAboutTen_NeverOverspends(string format)
    {
        // Each call reserves about $0.015 (1000 output tokens at $15/M, plus its input) and spends exactly $0.015.
        await AdminJsonAsync("/team/new", """{"team_id": "search", "max_budget": 0.155, "budget_duration": "1d"}""");
        string[] keys = [await _gateway.GenerateAsync("""{"team_id": "search"}"""), await _gateway.GenerateAsync("""{"team_id": "search"}""")];

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _gateway.ChatAsync(format, "claude", keys[i % 2], maxTokens: 1000)));

        int admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        HttpResponseMessage[] refused = [.. responses.Where(r => r.StatusCode != HttpStatusCode.OK)];
        refused.ShouldAllBe(r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Headers.Contains("retry-after"), string.Join(",", refused.Select(r => r.StatusCode + ":" + r.Content.ReadAsStringAsync().Result).Distinct().Take(3)));
        (await ErrorAsync(refused[0], HttpStatusCode.TooManyRequests)).GetProperty("message").GetString()!.ShouldContain("the team 'search'");
        admitted.ShouldBeInRange(1, 10);
        decimal spend = await OwnerSpendAsync("team", "search");
        spend.ShouldBe(0.015m * admitted);
        spend.ShouldBeLessThanOrEqualTo(0.155m);
        ((await _gateway.SpendAsync(keys[0])) + (await _gateway.SpendAsync(keys[1]))).ShouldBe(spend);
        _gateway.Upstream.Requests.Count.ShouldBe(admitted);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }

        // The spend reaches the store too, off the request path.
        await _gateway.Options.Gate.FlushAsync();
        (await _gateway.Keys.GetOwnerAsync(KeyOwnerKind.Team, "search"))!.Spend.ShouldBe(spend);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_100ConcurrentRequestsOverTwoKeys_UserBudget_NeverOverspends(string format)
    {
        await AdminJsonAsync("/user/new", """{"user_id": "ana", "max_budget": 0.05}""");
        string[] keys = [await _gateway.GenerateAsync("""{"user_id": "ana"}"""), await _gateway.GenerateAsync("""{"user_id": "ana"}""")];

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _gateway.ChatAsync(format, "claude", keys[i % 2], maxTokens: 1000)));

        int admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        admitted.ShouldBeInRange(1, 3);
        (await ErrorAsync(responses.First(r => r.StatusCode != HttpStatusCode.OK), HttpStatusCode.TooManyRequests)).GetProperty("message").GetString()!.ShouldContain("the user 'ana'");
        (await OwnerSpendAsync("user", "ana")).ShouldBe(0.015m * admitted);
        _gateway.Upstream.Requests.Count.ShouldBe(admitted);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamModels_LimitItsKeys(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1", "models": ["gpt"]}""");
        string key = await _gateway.GenerateAsync("""{"team_id": "t1"}""");

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key);

        (await ErrorAsync(response, HttpStatusCode.Forbidden)).GetProperty("message").GetString()!.ShouldContain("team 't1'");
        (await StatusAsync(format, "gpt", key)).ShouldBe(HttpStatusCode.OK);
        _gateway.Upstream.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamBlockedThenUnblocked_TakesEffectAtTheNextRequest(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1", "team_alias": "Search"}""");
        string key = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);

        await AdminJsonAsync("/team/update", """{"team_id": "t1", "blocked": true}""");
        using (HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key))
        {
            (await ErrorAsync(response, HttpStatusCode.Unauthorized)).GetProperty("message").GetString()!.ShouldContain("team 'Search' is blocked");
        }

        await AdminJsonAsync("/team/update", """{"team_id": "t1", "blocked": false}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamBudgetRaised_TakesEffectAtTheNextRequest(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1", "max_budget": 0.02}""");
        string key = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.TooManyRequests);

        await AdminJsonAsync("/team/update", """{"team_id": "t1", "max_budget": 1}""");

        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
        (await OwnerSpendAsync("team", "t1")).ShouldBe(0.030m);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamBudgetPeriod_StartsAgainAfterItsDuration(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1", "max_budget": 0.02, "budget_duration": "1h"}""");
        string key = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
        using (HttpResponseMessage refused = await _gateway.ChatAsync(format, "claude", key, maxTokens: 1000))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(3_500, 3_600);
        }

        _gateway.Time.Advance(TimeSpan.FromHours(1));

        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
        (await OwnerSpendAsync("team", "t1")).ShouldBe(0.015m);
        await _gateway.Options.Gate.FlushAsync();
        KeyOwner stored = (await _gateway.Keys.GetOwnerAsync(KeyOwnerKind.Team, "t1"))!;
        stored.Spend.ShouldBe(0.015m);
        stored.BudgetResetAt.ShouldNotBeNull().ShouldBeGreaterThan(_gateway.Time.GetUtcNow());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamRpmLimit_AppliesAcrossItsKeys(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1", "rpm_limit": 2}""");
        string a = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        string b = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        (await StatusAsync(format, "claude", a)).ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(format, "claude", b)).ShouldBe(HttpStatusCode.OK);

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", a);

        (await ErrorAsync(response, HttpStatusCode.TooManyRequests)).GetProperty("message").GetString()!.ShouldContain("Rate limit reached for the team 't1'");
        response.Headers.Contains("retry-after").ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_KeyOfAUserCreatedLater_CountsAgainstTheUserFromThen(string format)
    {
        string key = await _gateway.GenerateAsync("""{"user_id": "ben"}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK); // No such user yet: only the key's own limits.

        await AdminJsonAsync("/user/new", """{"user_id": "ben", "max_budget": 0.02}""");

        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);
        using HttpResponseMessage response = await _gateway.ChatAsync(format, "claude", key, maxTokens: 1000);
        (await ErrorAsync(response, HttpStatusCode.TooManyRequests)).GetProperty("message").GetString()!.ShouldContain("the user 'ben'");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Chat_TeamDeleted_ItsKeysAreDeletedToo(string format)
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1"}""");
        string key = await _gateway.GenerateAsync("""{"team_id": "t1"}""");
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.OK);

        JsonElement deleted = await AdminJsonAsync("/team/delete", """{"team_ids": ["t1"]}""");

        deleted.GetProperty("deleted_team_ids").EnumerateArray().Select(id => id.GetString()).ShouldBe(["t1"]);
        deleted.GetProperty("deleted_keys").GetInt32().ShouldBe(1);
        (await StatusAsync(format, "claude", key)).ShouldBe(HttpStatusCode.Unauthorized);
        (await AdminJsonAsync("/team/info?team_id=t1", status: HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("message").GetString()!.ShouldContain("No team 't1'");
        (await AdminJsonAsync("/team/delete", """{"team_ids": ["t1"]}""", HttpStatusCode.NotFound)).GetProperty("error").GetProperty("param").GetString().ShouldBe("team_ids");
    }
}
