using System.Net.Http.Headers;
using Allos.Providers.Embeddings;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>Ollama's native <c>POST /api/embed</c>, for a local server or ollama.com.</summary>
/// <remarks>
/// Whether an input longer than the model's context is cut (Ollama's default) or refused goes in
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under <see cref="ProviderEmbeddingOptions.TruncateKey"/>.
/// Usage is Ollama's <c>prompt_eval_count</c>.
/// </remarks>
internal sealed class OllamaEmbeddingGenerator : ProviderEmbeddingGenerator
{
    /// <summary>
    /// Ollama documents no limit on the inputs of one request; it evaluates them in one go on the local machine, so a huge
    /// request holds the model (and the HTTP timeout) for its whole length. 512 inputs keep each request a few seconds long
    /// on ordinary hardware while costing almost nothing in round trips.
    /// </summary>
    public const int MaxInputs = 512;

    private readonly Uri _url;

    public OllamaEmbeddingGenerator(ProviderSettings settings)
        : base(settings, OllamaErrorParser.Parse, MaxInputs)
    {
        _url = settings.Combine("api/embed");
    }

    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchAsync(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var body = new OllamaEmbedRequest
        {
            Model = ModelFor(options),
            Input = inputs,
            Dimensions = options?.Dimensions,
            Truncate = ProviderEmbeddingOptions.Read<bool?>(options, ProviderEmbeddingOptions.TruncateKey),
        };
        string provider = Settings.Provider;
        return PostAsync(_url, body, OllamaJsonContext.Default.OllamaEmbedRequest, OllamaJsonContext.Default.OllamaEmbedResponse,
            response => ToEmbeddings(response, provider), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    private static GeneratedEmbeddings<Embedding<float>> ToEmbeddings(OllamaEmbedResponse response, string provider)
    {
        List<float[]> embeddings = response.Embeddings ?? throw Http.ProviderTransport.NotAResponse(provider, "embeddings");
        var result = new GeneratedEmbeddings<Embedding<float>>(embeddings.Count);
        foreach (float[] values in embeddings)
        {
            result.Add(new Embedding<float>(values) { ModelId = response.Model });
        }

        if (response.PromptEvalCount is long tokens)
        {
            result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        }

        return result;
    }
}
