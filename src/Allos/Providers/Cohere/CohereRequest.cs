using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Cohere;

// Request DTOs for POST /v2/chat. Nulls are omitted (see CohereJsonContext).

internal sealed class CohereRequest
{
    public required string Model { get; set; }

    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Messages { get; set; }

    public List<CohereTool>? Tools { get; set; }

    /// <summary><c>REQUIRED</c> or <c>NONE</c>; absent lets the model choose.</summary>
    public string? ToolChoice { get; set; }

    public bool? StrictTools { get; set; }

    public bool? Stream { get; set; }

    public int? MaxTokens { get; set; }

    public float? Temperature { get; set; }

    /// <summary>Top-p.</summary>
    public float? P { get; set; }

    /// <summary>Top-k.</summary>
    public int? K { get; set; }

    public IList<string>? StopSequences { get; set; }

    public long? Seed { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    public CohereResponseFormat? ResponseFormat { get; set; }

    public CohereThinking? Thinking { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class CohereTool
{
    public string Type { get; set; } = "function";

    public required CohereFunctionDefinition Function { get; set; }
}

internal sealed class CohereFunctionDefinition
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement Parameters { get; set; }
}

/// <summary>A typed part of a user message: <c>text</c> or <c>image_url</c>.</summary>
internal sealed class CohereContentPart
{
    public required string Type { get; set; }

    public string? Text { get; set; }

    public CohereImageUrl? ImageUrl { get; set; }
}

internal sealed record CohereImageUrl(string Url);

/// <summary><c>{"type":"json_object"}</c>, with an optional <c>json_schema</c> the answer must match.</summary>
internal sealed class CohereResponseFormat
{
    public required string Type { get; set; }

    public JsonElement? JsonSchema { get; set; }
}

/// <summary>Reasoning models' <c>thinking</c>: <c>{"type":"enabled","token_budget":N}</c> or <c>{"type":"disabled"}</c>.</summary>
internal sealed record CohereThinking(string Type, int? TokenBudget = null);
