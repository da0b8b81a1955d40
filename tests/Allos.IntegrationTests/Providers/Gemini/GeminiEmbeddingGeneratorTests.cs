namespace Allos.IntegrationTests.Providers.Gemini;

public sealed class GeminiEmbeddingGeneratorTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_TwoInputs_SendsBatchEmbedContentsWithDimensionsAndTaskType()
    {
        _server.Enqueue(FakeTurn.Embeddings([0.25f, 0.5f], [-0.75f, 1f]));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("gemini/gemini-embedding-001", apiKey: "g-key");
        var options = new EmbeddingGenerationOptions { Dimensions = 2, AdditionalProperties = new() { [ProviderEmbeddingOptions.TaskTypeKey] = "RETRIEVAL_DOCUMENT" } };

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["alpha", "beta"], options);

        result.Select(e => e.Vector.ToArray()).ShouldBe([[0.25f, 0.5f], [-0.75f, 1f]]);
        result[0].ModelId.ShouldBe("gemini-embedding-001");
        result.Usage.ShouldBeNull("the Gemini API reports no token counts for embeddings");
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
        request.Headers["x-goog-api-key"].ShouldBe("g-key");
        request.Query.ShouldBe("", "the key travels in a header, never in the URL");
        request.Body.ShouldBe(
            """{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"alpha"}]},"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":2},"""
            + """{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"beta"}]},"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":2}]}""");
    }

    [Fact]
    public async Task GenerateAsync_MoreThanOneHundredInputs_SplitsIntoBatchesOfOneHundredInOrder()
    {
        _server.FallbackTurn = FakeTurn.Embeddings(text => [float.Parse(text, System.Globalization.CultureInfo.InvariantCulture)]);
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("gemini/text-embedding-004");

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(Enumerable.Range(0, 250).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        result.Select(e => e.Vector.Span[0]).ShouldBe(Enumerable.Range(0, 250).Select(i => (float)i));
        _server.Requests.Select(r => r.Json.GetProperty("requests").GetArrayLength()).Order().ShouldBe([50, 100, 100]);
    }

    [Fact]
    public async Task GenerateAsync_ResourceExhausted_ThrowsRateLimitExceptionWithRetryAfter()
    {
        _server.Enqueue(FakeTurn.Error(429,
            """{"error":{"code":429,"message":"Quota exceeded for embed_content_requests.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}"""));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("gemini/gemini-embedding-001");

        RateLimitException error = await Should.ThrowAsync<RateLimitException>(() => embedder.GenerateAsync(["x"]));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task GenerateAsync_ConnectionDropped_ThrowsProviderConnectionException()
    {
        _server.Enqueue(FakeTurn.Embeddings([1f]).DropConnectionAfter(0));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("gemini/gemini-embedding-001");

        await Should.ThrowAsync<ProviderConnectionException>(() => embedder.GenerateAsync(["x"]));
    }
}
