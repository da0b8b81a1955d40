using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Bedrock;

// Request DTOs for POST /model/{modelId}/converse and /converse-stream. Nulls are omitted (see BedrockJsonContext).

internal sealed class BedrockRequest
{
    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Messages { get; set; }

    public List<BedrockSystemBlock>? System { get; set; }

    public BedrockInferenceConfig? InferenceConfig { get; set; }

    public BedrockToolConfig? ToolConfig { get; set; }

    /// <summary>Fields the model's own API takes and Converse does not name (Claude's <c>thinking</c>, <c>top_k</c>).</summary>
    public Dictionary<string, JsonElement>? AdditionalModelRequestFields { get; set; }

    /// <summary>Converse's own top-level fields passed through AdditionalProperties (<c>guardrailConfig</c>, <c>performanceConfig</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record BedrockSystemBlock(string Text);

internal sealed class BedrockInferenceConfig
{
    public int? MaxTokens { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public IList<string>? StopSequences { get; set; }
}

internal sealed class BedrockToolConfig
{
    public required List<BedrockTool> Tools { get; set; }

    /// <summary><c>{"auto":{}}</c>, <c>{"any":{}}</c> or <c>{"tool":{"name":…}}</c>; absent is auto.</summary>
    public JsonElement? ToolChoice { get; set; }
}

internal sealed record BedrockTool(BedrockToolSpec ToolSpec);

internal sealed class BedrockToolSpec
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public required BedrockInputSchema InputSchema { get; set; }
}

internal sealed record BedrockInputSchema(JsonElement Json);
