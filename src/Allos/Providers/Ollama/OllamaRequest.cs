using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Ollama;

// Request DTOs for POST /api/chat (docs/api.md, api/types.go). Nulls are omitted (see OllamaJsonContext).

internal sealed class OllamaRequest
{
    public required string Model { get; set; }

    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Messages { get; set; }

    public List<OllamaTool>? Tools { get; set; }

    /// <summary>Always written: Ollama streams unless told otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Stream { get; set; }

    /// <summary><c>"json"</c> or a JSON schema object.</summary>
    public JsonElement? Format { get; set; }

    public OllamaOptions? Options { get; set; }

    /// <summary><c>false</c> or a level (<c>"low"</c>, <c>"medium"</c>, <c>"high"</c>).</summary>
    public JsonElement? Think { get; set; }

    /// <summary>Top-level fields from <c>ChatOptions.AdditionalProperties</c> (<c>keep_alive</c>, or a whole <c>options</c> object).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A tool call, in both directions; <c>arguments</c> is a JSON object, not a string.</summary>
internal sealed class OllamaToolCall
{
    public string? Id { get; set; }

    public OllamaFunctionCall? Function { get; set; }
}

internal sealed class OllamaFunctionCall
{
    /// <summary>Sent by servers, not needed by them on the way back.</summary>
    public int? Index { get; set; }

    public string? Name { get; set; }

    public JsonElement Arguments { get; set; }
}

internal sealed class OllamaTool
{
    public string Type { get; set; } = "function";

    public required OllamaFunctionDefinition Function { get; set; }
}

internal sealed class OllamaFunctionDefinition
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement Parameters { get; set; }
}

/// <summary>The model's runtime options (<c>api.Options</c>); only the ones <c>ChatOptions</c> can express.</summary>
internal sealed class OllamaOptions
{
    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public int? NumPredict { get; set; }

    public long? Seed { get; set; }

    public IList<string>? Stop { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    [JsonIgnore]
    public bool IsEmpty =>
        Temperature is null && TopP is null && TopK is null && NumPredict is null && Seed is null
        && Stop is null && FrequencyPenalty is null && PresencePenalty is null;
}
