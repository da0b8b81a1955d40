using System.ClientModel;
using Allos.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Embeddings;

namespace Allos.ConformanceTests;

/// <summary>The official OpenAI .NET SDK's <see cref="EmbeddingClient"/> pointed at the gateway's /v1/embeddings, with a fake OpenAI upstream.</summary>
public sealed class GatewayOpenAISdkEmbeddingsTests : IAsyncLifetime
{
    private FakeProviderServer _upstream = null!;
    private Router _router = null!;
    private WebApplication _gateway = null!;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync();
        var options = new RouterOptions { MaxRetries = 0 };
        options.Groups.Add(new ModelGroup("embed", new Deployment("openai/text-embedding-3-small")
        {
            Name = "embed",
            ApiKey = "sk-upstream",
            Endpoint = _upstream.OpenAIEndpoint,
        }));
        _router = new Router(options);
        _gateway = Allos.Gateway.Server.GatewayServer.Create(new Allos.Gateway.Server.GatewayServerOptions { Router = _router, Port = 0 });
        await _gateway.StartAsync();
        string address = _gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(address.TrimEnd('/') + "/v1");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _router.Dispose();
        await _upstream.DisposeAsync();
    }

    // No SDK retries: a 429 must reach the test as the gateway sent it.
    private EmbeddingClient Sdk() => new("embed", new ApiKeyCredential("sk-gateway"),
        new OpenAIClientOptions { Endpoint = _endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    [Fact]
    public async Task GenerateEmbeddings_SdkBase64_ReadsTheUpstreamVectorsUsageAndDimensions()
    {
        _upstream.Enqueue(FakeTurn.Embeddings([0.5f, -0.25f], [1.5f, 2f]).WithUsage(11, 0));

        OpenAIEmbeddingCollection result = (await Sdk().GenerateEmbeddingsAsync(["one", "two"], new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 2 })).Value;

        result.Count.ShouldBe(2);
        result[0].ToFloats().ToArray().ShouldBe([0.5f, -0.25f]);
        result[1].ToFloats().ToArray().ShouldBe([1.5f, 2f]);
        result[1].Index.ShouldBe(1);
        result.Model.ShouldBe("embed");
        result.Usage.InputTokenCount.ShouldBe(11);
        RecordedRequest upstream = _upstream.Requests.ShouldHaveSingleItem();
        upstream.Json.GetProperty("model").GetString().ShouldBe("text-embedding-3-small");
        upstream.Json.GetProperty("dimensions").GetInt32().ShouldBe(2);
        upstream.Headers["Authorization"].ShouldBe("Bearer sk-upstream");
    }

    [Fact]
    public async Task GenerateEmbedding_OneString_FloatEncodingOverRawHttp()
    {
        _upstream.Enqueue(FakeTurn.Embeddings([3f, 4f]));
        using var http = new HttpClient();

        using HttpResponseMessage response = await http.PostAsync(new Uri(_endpoint, "v1/embeddings"),
            new StringContent("""{"model":"embed","input":"solo","encoding_format":"float"}""", System.Text.Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        response.IsSuccessStatusCode.ShouldBeTrue(body);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        json.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ShouldBe([3f, 4f]);
        _upstream.Requests.ShouldHaveSingleItem().Json.GetProperty("input").EnumerateArray().Select(e => e.GetString()).ShouldBe(["solo"]);
    }

    [Fact]
    public async Task GenerateEmbeddings_UpstreamRateLimited_SdkSeesA429WithRetryAfter()
    {
        _upstream.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after", "30"));

        ClientResultException error = await Should.ThrowAsync<ClientResultException>(() => Sdk().GenerateEmbeddingsAsync(["x"]));

        error.Status.ShouldBe(429);
        error.GetRawResponse()!.Headers.TryGetValue("retry-after", out string? retryAfter).ShouldBeTrue();
        retryAfter.ShouldBe("30");
    }

    [Fact]
    public async Task GenerateEmbeddings_BadEncodingFormat_Is400NamingTheParameter()
    {
        using var http = new HttpClient();

        using HttpResponseMessage response = await http.PostAsync(new Uri(_endpoint, "v1/embeddings"),
            new StringContent("""{"model":"embed","input":["a"],"encoding_format":"int8"}""", System.Text.Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).ShouldBe(400);
        body.ShouldContain("encoding_format");
        _upstream.Requests.ShouldBeEmpty();
    }
}
