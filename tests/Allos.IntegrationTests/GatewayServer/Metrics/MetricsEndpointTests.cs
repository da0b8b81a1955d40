using System.Net;
using System.Net.Http.Headers;
using Allos.Gateway;
using Allos.IntegrationTests.GatewayServer.Keys;

namespace Allos.IntegrationTests.GatewayServer.Metrics;

/// <summary>
/// <c>GET /metrics</c> after real requests through both ingress formats: requests by endpoint, status and error type, in
/// flight, tokens by type, cost, duration and time-to-first-token histograms, per alias, deployment and key.
/// </summary>
/// <remarks>Every gateway in the test process listens to the same instruments, so this class's aliases and keys are its own.</remarks>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private KeyedGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await KeyedGateway.StartAsync((gateway, router, _) =>
    {
        router.Groups.Add(gateway.Group("metrics-gpt", "openai/gpt-4o-mini"));
        router.Groups.Add(gateway.Group("metrics-claude", "anthropic/claude-sonnet-4-5"));
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<List<PrometheusSample>> ScrapeAsync(string? key = KeyedGateway.MasterKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using HttpResponseMessage response = await _gateway.Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return PrometheusText.Parse(body);
    }

    [Fact]
    public async Task Metrics_AfterRequestsOfEveryKind_CountsTagsAndTimesThem()
    {
        string key = await _gateway.GenerateAsync("""{"key_alias": "metrics-team"}""");
        string broke = await _gateway.GenerateAsync("""{"key_alias": "metrics-broke", "max_budget": 0}""");
        _gateway.Upstream.Enqueue(FakeTurn.Text("Hi.").WithUsage(100, 20, cachedInputTokens: 40, reasoningTokens: 5));
        _gateway.Upstream.Enqueue(FakeTurn.Text("Streamed.").WithUsage(30, 7));
        _gateway.Upstream.Enqueue(FakeTurn.ProviderError(500, "upstream broke", "server_error"));

        using (HttpResponseMessage first = await _gateway.ChatAsync("openai", "metrics-gpt", key))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        }
        using (HttpResponseMessage streamed = await _gateway.ChatAsync("anthropic", "metrics-claude", key, stream: true))
        {
            streamed.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await streamed.Content.ReadAsStringAsync()).ShouldContain("message_stop");
        }

        (await _gateway.ChatAsync("openai", "metrics-gpt", key)).StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await _gateway.ChatAsync("openai", "metrics-gpt", broke)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        List<PrometheusSample> samples = await ScrapeAsync();

        // Requests, by endpoint, status, error type, alias and key.
        double Requests(string endpoint, string status, string alias, string keyAlias, string? error = null) => samples
            .Where(s => s.Name == "allos_gateway_requests_total" && s.Has("allos_gateway_endpoint", endpoint) && s.Has("http_response_status_code", status)
                && s.Has("allos_gateway_alias", alias) && s.Has("allos_gateway_key", keyAlias) && (error is null ? !s.Labels.ContainsKey("error_type") : s.Has("error_type", error)))
            .Sum(s => s.Value);
        Requests("chat.completions", "200", "metrics-gpt", "metrics-team").ShouldBe(1);
        Requests("messages", "200", "metrics-claude", "metrics-team").ShouldBe(1);
        Requests("chat.completions", "502", "metrics-gpt", "metrics-team", "upstream").ShouldBe(1);
        Requests("chat.completions", "429", "metrics-gpt", "metrics-broke", "budget").ShouldBe(1);

        // Nothing left in flight, and each request's duration was observed.
        samples.Where(s => s.Name == "allos_gateway_active_requests" && s.Has("allos_gateway_endpoint", "chat.completions")).ShouldAllBe(s => s.Value == 0);
        samples.Single(s => s.Name == "allos_gateway_request_duration_seconds_count" && s.Has("allos_gateway_alias", "metrics-claude") && s.Has("http_response_status_code", "200")).Value.ShouldBe(1);

        // Tokens by type from the Router, per alias, deployment and key; cost; time to first token of the stream.
        double Tokens(string alias, string type) => samples
            .Where(s => s.Name == "gen_ai_client_token_usage_sum" && s.Has("allos_gateway_alias", alias) && s.Has("gen_ai_token_type", type) && s.Has("allos_gateway_key", "metrics-team"))
            .Sum(s => s.Value);
        Tokens("metrics-gpt", "input").ShouldBe(100);
        Tokens("metrics-gpt", "output").ShouldBe(20);
        Tokens("metrics-gpt", "cached").ShouldBe(40);
        Tokens("metrics-gpt", "reasoning").ShouldBe(5);
        Tokens("metrics-claude", "output").ShouldBe(7);
        samples.ShouldContain(s => s.Name == "gen_ai_client_token_usage_sum" && s.Has("allos_gateway_deployment", "metrics-gpt"));
        samples.Where(s => s.Name.StartsWith("allos_client_cost", StringComparison.Ordinal) && s.Has("allos_gateway_alias", "metrics-gpt")).Sum(s => s.Value).ShouldBeGreaterThan(0);
        samples.Single(s => s.Name == "allos_client_time_to_first_token_seconds_count" && s.Has("allos_gateway_alias", "metrics-claude")).Value.ShouldBe(1);
        samples.ShouldContain(s => s.Name == "allos_client_time_to_first_token_seconds_bucket" && s.Has("allos_gateway_alias", "metrics-claude") && s.Has("le", "+Inf"));

        // The upstream failure counted by type on the Router's side too.
        samples.ShouldContain(s => s.Name == "gen_ai_client_operation_duration_seconds_count" && s.Has("allos_gateway_alias", "metrics-gpt") && s.Labels.ContainsKey("error_type"));
    }

    [Fact]
    public async Task Metrics_WithAMasterKey_NeedsIt()
    {
        string key = await _gateway.GenerateAsync();
        foreach (string? given in new[] { null, key })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (given is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", given);
            }

            using HttpResponseMessage response = await _gateway.Http.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        (await ScrapeAsync()).ShouldNotBeEmpty();
    }
}
