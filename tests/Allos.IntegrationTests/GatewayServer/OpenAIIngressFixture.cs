using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Allos.Gateway;
using Allos.Gateway.Server;
using Allos.IntegrationTests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.IntegrationTests.GatewayServer;

/// <summary>
/// The gateway in-process on 127.0.0.1:0 in front of one fake upstream, with an alias per upstream format:
/// <c>oa</c> (OpenAI), <c>an</c> (Anthropic), <c>ge</c> (Gemini), <c>ol</c> (Ollama).
/// </summary>
public sealed partial class OpenAIIngressFixture : IAsyncDisposable
{
    public static readonly TheoryData<string> Upstreams = new() { "oa", "an", "ge", "ol" };

    private WebApplication _app = null!;
    private Router _router = null!;

    public FakeProviderServer Upstream { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<OpenAIIngressFixture> StartAsync(Action<GatewayServerOptions>? configure = null)
    {
        var fixture = new OpenAIIngressFixture { Upstream = await FakeProviderServer.StartAsync() };
        RouterOptions options = RouterFixture.Options(
            fixture.Group("oa", "openai/gpt-4o-mini"),
            fixture.Group("an", "anthropic/claude-sonnet-4-5"),
            fixture.Group("ge", "gemini/gemini-2.5-flash"),
            fixture.Group("ol", "ollama/llama3.1"));

        // Failures reach the caller as they are, so each error path shows its own status.
        options.MaxRetries = 0;
        fixture._router = new Router(options);
        var server = new GatewayServerOptions { Router = fixture._router, Port = 0 };
        configure?.Invoke(server);
        fixture._app = Allos.Gateway.Server.GatewayServer.Create(server);
        await fixture._app.StartAsync();
        string address = fixture._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fixture.BaseUri = new Uri(address.TrimEnd('/') + "/");
        fixture.Http = new HttpClient { BaseAddress = fixture.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        return fixture;
    }

    public Task<HttpResponseMessage> PostAsync(string json, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) }, completion, cancellationToken);

    /// <summary>The body with its generated parts (the completion id, the time) replaced by fixed ones.</summary>
    public static string Normalize(string body) => Created().Replace(Id().Replace(body, "\"id\":\"chatcmpl-ID\""), "\"created\":0");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        _router.Dispose();
        await Upstream.DisposeAsync();
    }

    private ModelGroup Group(string alias, string model) => new(alias, new Deployment(model)
    {
        Name = alias,
        ApiKey = "sk-test",
        Endpoint = Upstream.EndpointFor(model[..model.IndexOf('/', StringComparison.Ordinal)]),
    });

    [GeneratedRegex("\"id\":\"chatcmpl-[^\"]*\"")]
    private static partial Regex Id();

    [GeneratedRegex("\"created\":[0-9]+")]
    private static partial Regex Created();
}
