using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.OpenAI;

// Request DTOs for POST /chat/completions. Nulls are omitted (see OpenAIJsonContext) unless marked otherwise.

internal sealed class OpenAIRequest
{
    public required string Model { get; set; }

    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Messages { get; set; }

    public List<OpenAITool>? Tools { get; set; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c> (a string) or an <see cref="OpenAINamedToolChoice"/>.</summary>
    public object? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public bool? Stream { get; set; }

    public OpenAIStreamOptions? StreamOptions { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public long? Seed { get; set; }

    public IList<string>? Stop { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    public string? ReasoningEffort { get; set; }

    public OpenAIResponseFormat? ResponseFormat { get; set; }

    /// <summary>Asks a search model (<c>gpt-4o-search-preview</c>, <c>gpt-5-search-api</c>…) to search the web first.</summary>
    public OpenAIWebSearchOptions? WebSearchOptions { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>web_search_options</c>; empty unless the tool's AdditionalProperties give <c>search_context_size</c> or <c>user_location</c>.</summary>
internal sealed class OpenAIWebSearchOptions
{
    public string? SearchContextSize { get; set; }

    public JsonElement? UserLocation { get; set; }
}

internal sealed class OpenAIContentPart
{
    public required string Type { get; set; }

    public string? Text { get; set; }

    public OpenAIImageUrl? ImageUrl { get; set; }

    public OpenAIInputAudio? InputAudio { get; set; }

    public OpenAIFile? File { get; set; }
}

internal sealed record OpenAIImageUrl(string Url, string? Detail = null);

internal sealed record OpenAIInputAudio(string Data, string Format);

internal sealed record OpenAIFile(string? Filename, string FileData);

internal sealed class OpenAITool
{
    public string Type { get; set; } = "function";

    public required OpenAIFunctionDefinition Function { get; set; }
}

internal sealed class OpenAIFunctionDefinition
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement Parameters { get; set; }
}

internal sealed record OpenAINamedToolChoice(string Type, OpenAIFunctionName Function);

internal sealed record OpenAIFunctionName(string Name);

internal sealed record OpenAIStreamOptions(bool IncludeUsage);

internal sealed class OpenAIResponseFormat
{
    public required string Type { get; set; }

    public OpenAIJsonSchema? JsonSchema { get; set; }
}

internal sealed class OpenAIJsonSchema
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement Schema { get; set; }

    /// <summary><see langword="true"/> or absent: OpenAI's default is not strict.</summary>
    public bool? Strict { get; set; }
}
