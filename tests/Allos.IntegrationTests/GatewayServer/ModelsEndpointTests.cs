using System.Net;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>GET /v1/models and /v1/models/{id}: the aliases and what gateway.models allows, in OpenAI's list shape.</summary>
public sealed class ModelsEndpointTests : IAsyncLifetime
{
    private OpenAIIngressFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await OpenAIIngressFixture.StartAsync(server =>
    {
        server.Models.Add("anthropic/claude-sonnet-4-5");
        server.Models.Add("gemini/*");
    });

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task Models_List_HasTheAliasesThenTheAllowedIds()
    {
        using HttpResponseMessage response = await _fx.Http.GetAsync("v1/models");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        string body = await response.Content.ReadAsStringAsync();
        body.ShouldStartWith("""{"object":"list","data":[{"id":"an","object":"model","created":0,"owned_by":"allos"},{"id":"ge","object":"model","created":0,"owned_by":"allos"},{"id":"oa",""");
        using JsonDocument json = JsonDocument.Parse(body);
        string[] ids = [.. json.RootElement.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()!)];
        ids[..4].ShouldBe(["an", "ge", "oa", "ol"]);
        ids.ShouldContain("anthropic/claude-sonnet-4-5");
        ids.ShouldContain("gemini/gemini-2.5-flash");
        ids.ShouldNotContain("openai/gpt-4o-mini", "openai/* is not in gateway.models");
        ids.Where(id => id.Contains('/', StringComparison.Ordinal)).ShouldAllBe(id => id == "anthropic/claude-sonnet-4-5" || id.StartsWith("gemini/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Models_GetAllowedProviderModel_IsTheModelObject()
    {
        using HttpResponseMessage response = await _fx.Http.GetAsync("v1/models/anthropic/claude-sonnet-4-5");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"id":"anthropic/claude-sonnet-4-5","object":"model","created":0,"owned_by":"anthropic"}""");
    }

    [Fact]
    public async Task Models_GetUnknown_Is404InOpenAIsShape()
    {
        using HttpResponseMessage response = await _fx.Http.GetAsync("v1/models/openai/gpt-4o");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"type\":\"not_found_error\",\"param\":\"model\"");
    }

    [Fact]
    public async Task Models_WithoutPatterns_ListsTheModelsOfProvidersWithCredentials()
    {
        await using OpenAIIngressFixture open = await OpenAIIngressFixture.StartAsync();

        using JsonDocument json = JsonDocument.Parse(await open.Http.GetStringAsync("v1/models"));

        // The fixture's registry reads no environment: no provider has credentials, so only the aliases are listed.
        json.RootElement.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()).ShouldBe(["an", "ge", "oa", "ol"]);
    }
}
