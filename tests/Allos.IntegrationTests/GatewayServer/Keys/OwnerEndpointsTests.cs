using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>The team and user admin API in LiteLLM's shapes, over real HTTP and a real SQLite key store.</summary>
public sealed class OwnerEndpointsTests : IAsyncLifetime
{
    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await KeyedGateway.StartAsync();
        _gateway.Upstream.FallbackTurn = FakeTurn.Text("Hello.").WithUsage(0, 1000);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<JsonElement> AdminJsonAsync(string path, string? json = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await _gateway.AdminAsync(path, json);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task TeamNew_WithoutId_GeneratesOne_AndInfoListUpdateReportIt()
    {
        JsonElement created = await AdminJsonAsync("/team/new",
            """{"team_alias": "Search", "max_budget": 5, "budget_duration": "30d", "models": ["gpt"], "rpm_limit": 10, "metadata": {"cc": "42"}, "members_with_roles": []}""");

        string id = created.GetProperty("team_id").GetString()!;
        Guid.TryParse(id, out _).ShouldBeTrue(id);
        created.GetProperty("team_alias").GetString().ShouldBe("Search");
        created.GetProperty("max_budget").GetDecimal().ShouldBe(5m);
        created.GetProperty("budget_duration").GetString().ShouldBe("30d");
        created.GetProperty("budget_reset_at").GetString().ShouldNotBeNull();
        created.GetProperty("rpm_limit").GetInt32().ShouldBe(10);
        created.GetProperty("metadata").GetProperty("cc").GetString().ShouldBe("42");
        created.GetProperty("spend").GetDecimal().ShouldBe(0m);

        string key = await _gateway.GenerateAsync($$"""{"team_id": "{{id}}", "key_alias": "k1"}""");
        using (HttpResponseMessage chat = await _gateway.ChatAsync("openai", "gpt", key, maxTokens: 1000))
        {
            chat.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        JsonElement info = await AdminJsonAsync($"/team/info?team_id={id}");
        info.GetProperty("team_id").GetString().ShouldBe(id);
        info.GetProperty("team_info").GetProperty("spend").GetDecimal().ShouldBe(0.0006m); // 1000 output tokens of gpt-4o-mini at $0.60/M: the live figure.
        info.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key_alias").GetString()).ShouldBe(["k1"]);

        JsonElement updated = await AdminJsonAsync("/team/update", $$"""{"team_id": "{{id}}", "max_budget": null, "team_alias": "Search 2"}""");
        updated.GetProperty("data").GetProperty("max_budget").ValueKind.ShouldBe(JsonValueKind.Null);
        updated.GetProperty("data").GetProperty("team_alias").GetString().ShouldBe("Search 2");

        JsonElement list = await AdminJsonAsync("/team/list");
        list.EnumerateArray().Select(t => t.GetProperty("team_id").GetString()).ShouldBe([id]);
    }

    [Fact]
    public async Task UserNewInfoListDelete_InLiteLLMsShapes()
    {
        JsonElement created = await AdminJsonAsync("/user/new", """{"user_id": "ana", "user_alias": "Ana", "max_budget": 1, "user_email": "ana@example.com"}""");
        created.GetProperty("user_id").GetString().ShouldBe("ana");
        created.GetProperty("user_alias").GetString().ShouldBe("Ana");
        await _gateway.GenerateAsync("""{"user_id": "ana"}""");

        JsonElement info = await AdminJsonAsync("/user/info?user_id=ana");
        info.GetProperty("user_info").GetProperty("max_budget").GetDecimal().ShouldBe(1m);
        info.GetProperty("keys").GetArrayLength().ShouldBe(1);
        JsonElement list = await AdminJsonAsync("/user/list");
        list.GetProperty("total").GetInt32().ShouldBe(1);
        list.GetProperty("users")[0].GetProperty("user_id").GetString().ShouldBe("ana");

        JsonElement deleted = await AdminJsonAsync("/user/delete", """{"user_ids": ["ana", "nobody"]}""");
        deleted.GetProperty("deleted_user_ids").EnumerateArray().Select(id => id.GetString()).ShouldBe(["ana"]);
        deleted.GetProperty("deleted_keys").GetInt32().ShouldBe(1);
        (await AdminJsonAsync("/user/list")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task KeyGenerate_UnknownTeam_400NamingTeamId_AndNoKeyIsStored()
    {
        JsonElement error = (await AdminJsonAsync("/key/generate", """{"team_id": "nope"}""", HttpStatusCode.BadRequest)).GetProperty("error");

        error.GetProperty("param").GetString().ShouldBe("team_id");
        error.GetProperty("message").GetString()!.ShouldContain("/team/new");
        (await _gateway.Keys.ListAsync()).ShouldBeEmpty();
        string key = await _gateway.GenerateAsync();
        (await AdminJsonAsync("/key/update", $$"""{"key": "{{key}}", "team_id": "nope"}""", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("param").GetString().ShouldBe("team_id");
    }

    [Fact]
    public async Task TeamNew_DuplicateIdOrBadField_400SayingWhatToFix()
    {
        await AdminJsonAsync("/team/new", """{"team_id": "t1"}""");

        (await AdminJsonAsync("/team/new", """{"team_id": "t1"}""", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("message").GetString()!.ShouldContain("'t1' exists");
        (await AdminJsonAsync("/team/new", """{"max_budget": -1}""", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("param").GetString().ShouldBe("max_budget");
        (await AdminJsonAsync("/team/update", """{"max_budget": 1}""", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("param").GetString().ShouldBe("team_id");
    }

    [Theory]
    [InlineData("/team/new")]
    [InlineData("/user/new")]
    public async Task AdminCalls_WithoutTheMasterKey_401(string path)
    {
        string key = await _gateway.GenerateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using HttpResponseMessage response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _gateway.Keys.ListOwnersAsync(Allos.Storage.KeyOwnerKind.Team)).ShouldBeEmpty();
        (await _gateway.Keys.ListOwnersAsync(Allos.Storage.KeyOwnerKind.User)).ShouldBeEmpty();
    }
}
