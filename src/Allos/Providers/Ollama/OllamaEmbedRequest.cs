namespace Allos.Providers.Ollama;

// DTOs for POST /api/embed. Nulls are omitted (see OllamaJsonContext).

internal sealed class OllamaEmbedRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<string> Input { get; init; }

    public bool? Truncate { get; init; }

    public int? Dimensions { get; init; }
}

internal sealed class OllamaEmbedResponse
{
    public string? Model { get; set; }

    public List<float[]>? Embeddings { get; set; }

    public long? PromptEvalCount { get; set; }
}
