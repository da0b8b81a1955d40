using Allos.Providers.Embeddings;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>The Gemini API's <c>models/{model}:batchEmbedContents</c>.</summary>
/// <remarks>
/// The task type (<c>RETRIEVAL_DOCUMENT</c>, <c>RETRIEVAL_QUERY</c>, <c>SEMANTIC_SIMILARITY</c>, …) goes in
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under <see cref="ProviderEmbeddingOptions.TaskTypeKey"/>.
/// The API reports no token counts for embeddings, so results carry no usage and their cost is unknown.
/// </remarks>
internal sealed class GeminiEmbeddingGenerator : ProviderEmbeddingGenerator
{
    /// <summary>The Gemini API's limit on the requests of one <c>batchEmbedContents</c> call: it refuses a batch of more than 100.</summary>
    public const int MaxInputs = 100;

    private readonly string _root;

    public GeminiEmbeddingGenerator(ProviderSettings settings)
        : base(settings, GeminiErrorParser.Parse, MaxInputs)
    {
        _root = GeminiChatClient.ApiRoot(settings.Endpoint);
    }

    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchAsync(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        string model = ModelFor(options);
        if (model.StartsWith("models/", StringComparison.Ordinal))
        {
            model = model["models/".Length..];
        }

        string? taskType = ProviderEmbeddingOptions.Read<string>(options, ProviderEmbeddingOptions.TaskTypeKey);
        var requests = new GeminiEmbedRequest[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            // Every request of a batch must name the model of the URL.
            requests[i] = new GeminiEmbedRequest
            {
                Model = "models/" + model,
                Content = new GeminiEmbedContent { Parts = [new GeminiEmbedPart { Text = inputs[i] }] },
                TaskType = taskType,
                OutputDimensionality = options?.Dimensions,
            };
        }

        var url = new Uri($"{_root}/models/{Uri.EscapeDataString(model)}:batchEmbedContents");
        string provider = Settings.Provider;
        return PostAsync(url, new GeminiBatchEmbedRequest { Requests = requests }, GeminiJsonContext.Default.GeminiBatchEmbedRequest,
            GeminiJsonContext.Default.GeminiBatchEmbedResponse, response => ToEmbeddings(response, model, provider), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
        }
    }

    private static GeneratedEmbeddings<Embedding<float>> ToEmbeddings(GeminiBatchEmbedResponse response, string model, string provider)
    {
        List<GeminiEmbedValues> embeddings = response.Embeddings ?? throw Http.ProviderTransport.NotAResponse(provider, "embeddings");
        var result = new GeneratedEmbeddings<Embedding<float>>(embeddings.Count);
        foreach (GeminiEmbedValues embedding in embeddings)
        {
            float[] values = embedding.Values ?? throw Http.ProviderTransport.NotAResponse(provider, "embeddings[].values");
            result.Add(new Embedding<float>(values) { ModelId = model });
        }

        return result;
    }
}
