using Allos.Gateway;
using Allos.Models;

namespace Allos.IntegrationTests.Gateway;

/// <summary>The Router's embeddings path over real HTTP: each deployment is its own fake provider server.</summary>
public sealed class RouterEmbeddingsTests : IAsyncLifetime
{
    private RouterFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await RouterFixture.StartAsync(2);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task EmbeddingsFor_Success_ReturnsVectorsAndReportsCostFromTheCatalog()
    {
        _fx[0].Enqueue(FakeTurn.Embeddings([1f, 2f]).WithUsage(1_000_000, 0));
        using var router = new Router(RouterFixture.Options(new ModelGroup("embed", _fx.Deployment(0, "openai/text-embedding-3-small"))));

        GeneratedEmbeddings<Embedding<float>> result = await router.EmbeddingsFor("embed").GenerateAsync(["x"]);

        result.ShouldHaveSingleItem().Vector.ToArray().ShouldBe([1f, 2f]);
        ResponseCost.Get(result).ShouldBe(0.02m, "a million input tokens of text-embedding-3-small cost $0.02");
        RecordedRequest request = _fx[0].Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/embeddings");
        request.Json.GetProperty("model").GetString().ShouldBe("text-embedding-3-small", "the deployment's model, not the alias");
    }

    [Fact]
    public async Task EmbeddingsFor_TransientFailure_RetriesOnTheSameDeployment()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(503, "overloaded"), FakeTurn.Embeddings([5f]));
        using var router = new Router(RouterFixture.Options(new ModelGroup("embed", _fx.Deployment(0, "openai/text-embedding-3-small"))));

        GeneratedEmbeddings<Embedding<float>> result = await router.EmbeddingsFor("embed").GenerateAsync(["x"]);

        result[0].Vector.ToArray().ShouldBe([5f]);
        _fx[0].Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task EmbeddingsFor_PrimaryFailsWithAuthentication_FallsBackToTheBackupGroup()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(401, "Incorrect API key provided"));
        _fx[1].Enqueue(FakeTurn.Embeddings([7f, 8f]).WithUsage(4, 0));
        var primary = new ModelGroup("embed", _fx.Deployment(0, "openai/text-embedding-3-small")) { Fallbacks = { "local" } };
        using var router = new Router(RouterFixture.Options(primary, new ModelGroup("local", _fx.Deployment(1, "ollama/nomic-embed-text"))));

        GeneratedEmbeddings<Embedding<float>> result = await router.EmbeddingsFor("embed").GenerateAsync(["x"]);

        result[0].Vector.ToArray().ShouldBe([7f, 8f]);
        result[0].ModelId.ShouldBe("nomic-embed-text");
        ResponseCost.Get(result).ShouldBe(0m, "a local model costs nothing");
        _fx[0].Requests.Count.ShouldBe(1);
        _fx[1].Requests.ShouldHaveSingleItem().Path.ShouldBe("/api/embed");
    }

    [Fact]
    public async Task EmbeddingsFor_InvalidRequest_IsNotRetriedAndKeepsItsType()
    {
        _fx[0].Enqueue(FakeTurn.ProviderError(400, "This model does not support specifying dimensions."));
        using var router = new Router(RouterFixture.Options(new ModelGroup("embed", _fx.Deployment(0, "openai/text-embedding-ada-002"))));

        await Should.ThrowAsync<InvalidRequestException>(() => router.EmbeddingsFor("embed").GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 8 }));

        _fx[0].Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task EmbeddingsFor_ReadyMadeGenerator_IsCalledInsteadOfTheRegistry()
    {
        using IEmbeddingGenerator<string, Embedding<float>> inner = _fx[1].CreateEmbeddingGenerator("gemini/gemini-embedding-001");
        _fx[1].Enqueue(FakeTurn.Embeddings([9f]));
        using var router = new Router(RouterFixture.Options(new ModelGroup("embed", new Deployment("custom/embedder") { EmbeddingGenerator = inner })));

        GeneratedEmbeddings<Embedding<float>> result = await router.EmbeddingsFor("embed").GenerateAsync(["x"]);

        result[0].Vector.ToArray().ShouldBe([9f]);
        _fx[1].Requests.ShouldHaveSingleItem().Path.ShouldEndWith(":batchEmbedContents");
    }
}
