using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Anthropic;

// Request DTOs for POST /v1/messages. Nulls are omitted (see AnthropicJsonContext).

internal sealed class AnthropicRequest
{
    /// <summary>The model; sent as <c>model</c> unless <see cref="AnthropicVersion"/> is set (then the URL names it).</summary>
    [JsonIgnore]
    public required string Model { get; set; }

    [JsonPropertyName("model")]
    public string? WireModel => AnthropicVersion is null ? Model : null;

    /// <summary>The version pin in the body, as Claude on Vertex AI takes it (<c>vertex-2023-10-16</c>); <see langword="null"/> for the Messages API, which takes a header.</summary>
    public string? AnthropicVersion { get; set; }

    public required int MaxTokens { get; set; }

    public string? System { get; set; }

    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Messages { get; set; }

    public List<AnthropicTool>? Tools { get; set; }

    public AnthropicToolChoice? ToolChoice { get; set; }

    public AnthropicThinking? Thinking { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public IList<string>? StopSequences { get; set; }

    public bool? Stream { get; set; }

    public AnthropicOutputConfig? OutputConfig { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>
    /// The name of the tool added to force JSON output (<see cref="Microsoft.Extensions.AI.ChatResponseFormatJson"/> with a
    /// schema), whose call is read back as the answer text; <see langword="null"/> otherwise. Not sent.
    /// </summary>
    [JsonIgnore]
    public string? JsonToolName { get; set; }
}

/// <summary>One content block of a request message; <see cref="Type"/> says which of the other fields are set.</summary>
internal sealed class AnthropicContentBlock
{
    public required string Type { get; set; }

    public string? Text { get; set; }

    public AnthropicSource? Source { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Input { get; set; }

    public string? ToolUseId { get; set; }

    public string? Content { get; set; }

    public bool? IsError { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? Data { get; set; }

    /// <summary>The block's prompt-cache breakpoint (<see cref="AnthropicProperties.CacheControlKey"/>).</summary>
    public JsonElement? CacheControl { get; set; }
}

/// <summary>An image or document source: <c>base64</c> (media type + data) or <c>url</c>.</summary>
internal sealed class AnthropicSource
{
    public required string Type { get; set; }

    public string? MediaType { get; set; }

    public string? Data { get; set; }

    public string? Url { get; set; }
}

/// <summary>A client tool (name, description, schema), or a server tool such as <c>{"type":"web_search_20250305",…}</c>.</summary>
internal sealed class AnthropicTool
{
    /// <summary>A server tool's versioned type; client tools send none.</summary>
    public string? Type { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? InputSchema { get; set; }

    public int? MaxUses { get; set; }

    public IList<string>? AllowedDomains { get; set; }

    public IList<string>? BlockedDomains { get; set; }

    public JsonElement? UserLocation { get; set; }

    /// <summary>The tool's prompt-cache breakpoint (<see cref="AnthropicProperties.CacheControlKey"/>).</summary>
    public JsonElement? CacheControl { get; set; }
}

internal sealed class AnthropicToolChoice
{
    public required string Type { get; set; }

    public string? Name { get; set; }

    public bool? DisableParallelToolUse { get; set; }
}

internal sealed record AnthropicThinking(string Type, int BudgetTokens);

/// <summary>The <c>output_config</c> field; Allos sets only its <c>format</c>.</summary>
internal sealed record AnthropicOutputConfig(AnthropicOutputFormat Format);

/// <summary>Structured output: <c>{"type":"json_schema","schema":{…}}</c>.</summary>
internal sealed record AnthropicOutputFormat(string Type, JsonElement Schema);
