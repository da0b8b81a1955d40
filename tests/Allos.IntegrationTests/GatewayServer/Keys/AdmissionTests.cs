using System.Net;
using System.Text.Json;
using Allos.Gateway;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>
/// What the one admission seam decides for every model endpoint alike: the served-model patterns, and a key's reservation
/// priced at the dearest deployment a request may reach.
/// </summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await KeyedGateway.StartAsync((gateway, router, server) =>
    {
        // "cheap" is gpt-4o-mini ($0.60/M output) that falls back to Claude Sonnet ($15/M output).
        ModelGroup cheap = gateway.Group("cheap", "openai/gpt-4o-mini");
        cheap.Fallbacks.Add("claude");
        router.Groups.Add(cheap);
        server.Models.Add("anthropic/*");
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("anthropic")]
    [InlineData("openai")]
    public async Task Chat_ModelOutsideGatewayModels_404InEitherFormat_AndNothingReachesTheUpstream(string format)
    {
        using HttpResponseMessage response = await _gateway.ChatAsync(format, "openai/gpt-4o-mini", KeyedGateway.MasterKey);

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("not served by this gateway");
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task CountTokens_ModelOutsideGatewayModels_404_ButAnAliasIsCounted()
    {
        foreach ((string model, HttpStatusCode status) in new[] { ("openai/gpt-4o-mini", HttpStatusCode.NotFound), ("gpt", HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages/count_tokens")
            {
                Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", KeyedGateway.MasterKey);

            using HttpResponseMessage response = await _gateway.Http.SendAsync(request);

            response.StatusCode.ShouldBe(status, $"{model}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("openai")]
    public async Task Chat_GroupFallsBackToADearerDeployment_TheKeyReservesTheDearerPrice(string format)
    {
        // 1000 output tokens cost $0.0006 on gpt-4o-mini but $0.015 on the fallback: a $0.01 budget must not admit the call,
        // or a failing first deployment would let it spend $0.015.
        string key = await _gateway.GenerateAsync("""{"max_budget": 0.01}""");

        using HttpResponseMessage response = await _gateway.ChatAsync(format, "cheap", key, maxTokens: 1000);

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, body);
        body.ShouldContain("could cost up to $0.015");
        _gateway.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Chat_FallbackTakenWithinTheDearerReservation_SpendsTheFallbacksCost()
    {
        string key = await _gateway.GenerateAsync("""{"max_budget": 0.02}""");
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(500, "upstream down"));
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hello.").WithUsage(0, 1000));

        using HttpResponseMessage response = await _gateway.ChatAsync("openai", "cheap", key, maxTokens: 1000);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await _gateway.SpendAsync(key)).ShouldBe(0.015m);
    }
}
