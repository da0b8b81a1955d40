using System.Text.Json;

namespace Allos.Providers.OpenAI;

/// <summary>The body of <c>POST /embeddings</c>.</summary>
internal sealed class OpenAIEmbeddingRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<string> Input { get; init; }

    public string? EncodingFormat { get; init; }

    public int? Dimensions { get; init; }
}

/// <summary>The answer of <c>POST /embeddings</c>.</summary>
internal sealed class OpenAIEmbeddingResponse
{
    public List<OpenAIEmbeddingData>? Data { get; set; }

    public string? Model { get; set; }

    public OpenAIEmbeddingUsage? Usage { get; set; }
}

internal sealed class OpenAIEmbeddingData
{
    public int? Index { get; set; }

    /// <summary>A base64 string of little-endian float32 values, or an array of numbers.</summary>
    public JsonElement Embedding { get; set; }
}

internal sealed class OpenAIEmbeddingUsage
{
    public long? PromptTokens { get; set; }

    public long? TotalTokens { get; set; }
}
