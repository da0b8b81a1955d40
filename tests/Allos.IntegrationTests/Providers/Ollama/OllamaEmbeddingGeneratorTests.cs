namespace Allos.IntegrationTests.Providers.Ollama;

public sealed class OllamaEmbeddingGeneratorTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_Inputs_SendsApiEmbedWithDimensionsAndTruncateAndReadsUsage()
    {
        _server.Enqueue(FakeTurn.Embeddings([0.1f, 0.2f], [0.3f, 0.4f]).WithUsage(8, 0));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("ollama/nomic-embed-text");
        var options = new EmbeddingGenerationOptions { Dimensions = 2, AdditionalProperties = new() { [ProviderEmbeddingOptions.TruncateKey] = false } };

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["why is the sky blue", "why is grass green"], options);

        result.Select(e => e.Vector.ToArray()).ShouldBe([[0.1f, 0.2f], [0.3f, 0.4f]]);
        result[0].ModelId.ShouldBe("nomic-embed-text");
        result.Usage!.InputTokenCount.ShouldBe(8);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/embed");
        request.Body.ShouldBe("""{"model":"nomic-embed-text","input":["why is the sky blue","why is grass green"],"truncate":false,"dimensions":2}""");
    }

    [Fact]
    public async Task GenerateAsync_ModelIdInOptions_OverridesTheGeneratorsModel()
    {
        _server.Enqueue(FakeTurn.Embeddings([1f]));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("ollama/nomic-embed-text");

        await embedder.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "mxbai-embed-large" });

        _server.Requests.ShouldHaveSingleItem().Json.GetProperty("model").GetString().ShouldBe("mxbai-embed-large");
    }

    [Fact]
    public async Task GenerateAsync_MoreThanTheBatchSize_SplitsAt512()
    {
        _server.FallbackTurn = FakeTurn.Embeddings(text => [text.Length]).WithUsage(1, 0);
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("ollama/nomic-embed-text");

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(Enumerable.Range(1, 600).Select(i => new string('a', i)));

        result.Select(e => e.Vector.Span[0]).ShouldBe(Enumerable.Range(1, 600).Select(i => (float)i));
        result.Usage!.InputTokenCount.ShouldBe(2);
        _server.Requests.Select(r => r.Json.GetProperty("input").GetArrayLength()).Order().ShouldBe([88, 512]);
    }

    [Fact]
    public async Task GenerateAsync_ModelNotFound_ThrowsProviderNotFoundException()
    {
        _server.Enqueue(FakeTurn.Error(404, """{"error":"model \"nomic-embed-text\" not found, try pulling it first"}"""));
        using IEmbeddingGenerator<string, Embedding<float>> embedder = _server.CreateEmbeddingGenerator("ollama/nomic-embed-text");

        ProviderNotFoundException error = await Should.ThrowAsync<ProviderNotFoundException>(() => embedder.GenerateAsync(["x"]));

        error.Message.ShouldContain("try pulling it first");
    }
}
