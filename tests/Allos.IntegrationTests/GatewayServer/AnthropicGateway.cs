using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Allos.Gateway;
using Allos.Gateway.Server;
using Allos.IntegrationTests.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>
/// The gateway server in-process on 127.0.0.1:0 in front of one fake upstream of each format: the aliases <c>claude</c>
/// (Anthropic), <c>gpt</c> (OpenAI), <c>gemini</c> and <c>llama</c> (Ollama), and a raw HTTP client to call it.
/// </summary>
public sealed partial class AnthropicGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Router _router;

    private AnthropicGateway(FakeProviderServer upstream, Router router, WebApplication app, HttpClient client)
    {
        Upstream = upstream;
        _router = router;
        _app = app;
        Client = client;
    }

    /// <summary>Gets the fake every alias's deployment points at (one server speaks all four formats).</summary>
    public FakeProviderServer Upstream { get; }

    public HttpClient Client { get; }

    public Uri BaseUri => Client.BaseAddress!;

    public static async Task<AnthropicGateway> StartAsync(int maxRetries = 0)
    {
        FakeProviderServer upstream = await FakeProviderServer.StartAsync();
        ModelGroup Group(string alias, string model) => new(alias, new Deployment(model)
        {
            Name = alias,
            ApiKey = "sk-upstream-secret",
            Endpoint = upstream.EndpointFor(model[..model.IndexOf('/', StringComparison.Ordinal)]),
        });
        RouterOptions options = RouterFixture.Options(
            Group("claude", "anthropic/claude-sonnet-4-5"),
            Group("gpt", "openai/gpt-4o-mini"),
            Group("gemini", "gemini/gemini-2.5-flash"),
            Group("llama", "ollama/llama3.2"));
        options.MaxRetries = maxRetries;
        var router = new Router(options);
        WebApplication app = Allos.Gateway.Server.GatewayServer.Create(new GatewayServerOptions { Router = router, Port = 0 });
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        return new AnthropicGateway(upstream, router, app, client);
    }

    /// <summary>Posts <paramref name="json"/> to <paramref name="path"/> with the headers Anthropic's clients send.</summary>
    public async Task<HttpResponseMessage> PostAsync(string json, string path = "/v1/messages", HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14");
        request.Headers.Add("x-api-key", "sk-gateway-key");
        return await Client.SendAsync(request, completion, cancellationToken);
    }

    /// <summary>Replaces every <c>msg_…</c> id with <c>msg_ID</c>, so whole bodies can be compared.</summary>
    public static string NormalizeIds(string body) => MessageId().Replace(body, "\"msg_ID\"");

    /// <summary>Splits an SSE body into (event, data) pairs, in order.</summary>
    public static List<(string Event, string Data)> Events(string body)
    {
        var events = new List<(string, string)>();
        foreach (string block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = "", data = "";
            foreach (string line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            events.Add((name, data));
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _router.Dispose();
        await Upstream.DisposeAsync();
    }

    [GeneratedRegex("\"msg_[A-Za-z0-9_-]+\"")]
    private static partial Regex MessageId();
}
