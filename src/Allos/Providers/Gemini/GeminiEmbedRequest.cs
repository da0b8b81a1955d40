namespace Allos.Providers.Gemini;

// DTOs for models/{model}:batchEmbedContents. Nulls are omitted (see GeminiJsonContext).

internal sealed class GeminiBatchEmbedRequest
{
    public required GeminiEmbedRequest[] Requests { get; init; }
}

internal sealed class GeminiEmbedRequest
{
    public required string Model { get; init; }

    public required GeminiEmbedContent Content { get; init; }

    public string? TaskType { get; init; }

    public int? OutputDimensionality { get; init; }
}

internal sealed class GeminiEmbedContent
{
    public required GeminiEmbedPart[] Parts { get; init; }
}

internal sealed class GeminiEmbedPart
{
    public required string Text { get; init; }
}

internal sealed class GeminiBatchEmbedResponse
{
    public List<GeminiEmbedValues>? Embeddings { get; set; }
}

internal sealed class GeminiEmbedValues
{
    public float[]? Values { get; set; }
}
