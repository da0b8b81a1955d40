using Microsoft.Extensions.Caching.Distributed;

namespace Allos.IntegrationTests.Providers.OpenAI;

public sealed class OpenAIEmbeddingGeneratorTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_TwoInputs_SendsBase64RequestAndDecodesLittleEndianFloats()
    {
        _server.Enqueue(FakeTurn.Embeddings([0.5f, -1.25f, 3f], [1e-7f, 0f, -0f]).WithUsage(9, 0));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-3-small", apiKey: "sk-embed");

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["first", "second"], new EmbeddingGenerationOptions { Dimensions = 3 });

        result.Count.ShouldBe(2);
        result[0].Vector.ToArray().ShouldBe([0.5f, -1.25f, 3f]);
        result[1].Vector.ToArray().ShouldBe([1e-7f, 0f, -0f]);
        result[0].ModelId.ShouldBe("text-embedding-3-small");
        result.Usage.ShouldNotBeNull();
        result.Usage.InputTokenCount.ShouldBe(9);
        result.Usage.TotalTokenCount.ShouldBe(9);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/embeddings");
        request.Headers["Authorization"].ShouldBe("Bearer sk-embed");
        request.Body.ShouldBe("""{"model":"text-embedding-3-small","input":["first","second"],"encoding_format":"base64","dimensions":3}""");
    }

    [Fact]
    public async Task GenerateAsync_ServerAnswersFloatArrays_ReadsThem()
    {
        // A compatible server that ignores encoding_format answers with numbers.
        _server.Enqueue(FakeTurn.Raw("application/json",
            """{"object":"list","data":[{"object":"embedding","index":1,"embedding":[4,5]},{"object":"embedding","index":0,"embedding":[1.5,2.5]}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}"""));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("vllm/bge-m3");

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["a", "b"]);

        result[0].Vector.ToArray().ShouldBe([1.5f, 2.5f], "the index, not the position, says which input a vector belongs to");
        result[1].Vector.ToArray().ShouldBe([4f, 5f]);
        _server.Requests.ShouldHaveSingleItem().Json.TryGetProperty("dimensions", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task GenerateAsync_MoreInputsThanTheLimit_SplitsIntoRequestsAndKeepsOrder()
    {
        const int count = 2048 + 2048 + 5;
        _server.FallbackTurn = FakeTurn.Embeddings(text => [float.Parse(text[1..], System.Globalization.CultureInfo.InvariantCulture)]).WithUsage(7, 0);
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-3-small");
        string[] inputs = [.. Enumerable.Range(0, count).Select(i => $"t{i}")];

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(inputs);

        result.Count.ShouldBe(count);
        result.Select(e => e.Vector.Span[0]).ShouldBe(Enumerable.Range(0, count).Select(i => (float)i));
        result.Usage!.InputTokenCount.ShouldBe(21, "the three requests' usage is summed");
        IReadOnlyList<RecordedRequest> requests = _server.Requests;
        requests.Count.ShouldBe(3);
        requests.Select(r => r.Json.GetProperty("input").GetArrayLength()).Order().ShouldBe([5, 2048, 2048]);
        requests.SelectMany(r => r.Json.GetProperty("input").EnumerateArray().Select(i => i.GetString()!)).Order(StringComparer.Ordinal)
            .ShouldBe(inputs.Order(StringComparer.Ordinal), "every input is sent exactly once");
    }

    [Fact]
    public async Task GenerateAsync_RateLimited_ThrowsRateLimitExceptionWithRetryAfter()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached for text-embedding-3-small", "rate_limit_exceeded").WithHeader("retry-after", "7"));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-3-small", apiKey: "sk-secret-embed");

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => embedder.GenerateAsync(["x"]));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        error.Message.ShouldContain("Rate limit reached");
        error.Message.ShouldNotContain("sk-secret-embed");
    }

    [Fact]
    public async Task GenerateAsync_BadRequest_ThrowsInvalidRequestException()
    {
        _server.Enqueue(FakeTurn.ProviderError(400, "This model does not support specifying dimensions.", "invalid_request_error"));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-ada-002");

        InvalidRequestException error = await Should.ThrowAsync<InvalidRequestException>(() => embedder.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 8 }));

        error.Message.ShouldContain("does not support specifying dimensions");
    }

    [Fact]
    public async Task GenerateAsync_ConnectionDropped_ThrowsProviderConnectionException()
    {
        _server.Enqueue(FakeTurn.Embeddings([1f]).DropConnectionAfter(0));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-3-small");

        await Should.ThrowAsync<ProviderConnectionException>(() => embedder.GenerateAsync(["x"]));
    }

    [Fact]
    public async Task GenerateAsync_FewerVectorsThanInputs_ThrowsInvalidResponseException()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", """{"data":[{"index":0,"embedding":[1]}],"model":"m"}"""));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("openai/text-embedding-3-small");

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => embedder.GenerateAsync(["a", "b"]));

        error.Message.ShouldContain("1 embeddings for 2 inputs");
    }

    [Fact]
    public async Task GenerateAsync_Azure_PostsToTheDeploymentWithApiKeyHeader()
    {
        _server.Enqueue(FakeTurn.Embeddings([1f, 2f]));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("azure/my-embedder", apiKey: "az-key");

        await embedder.GenerateAsync(["x"]);

        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/openai/deployments/my-embedder/embeddings");
        request.Query.ShouldContain("api-version=");
        request.Headers["api-key"].ShouldBe("az-key");
    }

    [Fact]
    public void Create_Anthropic_ThrowsConfigurationExceptionNamingAlternatives()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => EmbeddingGenerators.Create("anthropic/claude-sonnet-4-5", new ChatClientOptions { ApiKey = "k" }));

        error.Message.ShouldContain("has no embeddings API");
        error.Message.ShouldContain("openai/text-embedding-3-small");
    }

    [Fact]
    public async Task GenerateAsync_BuilderWithLoggingAndCaching_CachesOurGenerator()
    {
        _server.Enqueue(FakeTurn.Embeddings([3f, 4f]));
        var cache = new DictionaryCache();
        using var logs = Microsoft.Extensions.Logging.LoggerFactory.Create(_ => { });
        using IEmbeddingGenerator<string, Embedding<float>> embedder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(
                _server.CreateEmbeddingGenerator("openai/text-embedding-3-small"))
            .UseLogging(logs)
            .UseDistributedCache(cache)
            .Build();

        Embedding<float> first = (await embedder.GenerateAsync(["same text"]))[0];
        Embedding<float> second = (await embedder.GenerateAsync(["same text"]))[0];

        first.Vector.ToArray().ShouldBe([3f, 4f]);
        second.Vector.ToArray().ShouldBe([3f, 4f]);
        _server.Requests.Count.ShouldBe(1, "the second call is answered by MEAI's cache over our generator");
        embedder.GetService<EmbeddingGeneratorMetadata>()!.ProviderName.ShouldBe("openai");
    }

    /// <summary>The smallest <see cref="IDistributedCache"/>: MEAI's caching layer over it is what is under test.</summary>
    private sealed class DictionaryCache : IDistributedCache
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _entries = new();

        public byte[]? Get(string key) => _entries.TryGetValue(key, out byte[]? value) ? value : null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => _entries.TryRemove(key, out _);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }
    }
}
