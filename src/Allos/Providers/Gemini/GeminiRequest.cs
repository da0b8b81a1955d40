using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.Gemini;

// Request DTOs for POST /v1beta/models/{model}:generateContent (and :streamGenerateContent). Nulls are omitted (see
// GeminiJsonContext). GeminiContent and GeminiPart serve responses too: the API uses the same shapes both ways.

internal sealed class GeminiRequest
{
    public GeminiContent? SystemInstruction { get; set; }

    [JsonConverter(typeof(JsonWritableConverter))]
    public required JsonWritable Contents { get; set; }

    public List<GeminiTool>? Tools { get; set; }

    public GeminiToolConfig? ToolConfig { get; set; }

    public GeminiGenerationConfig? GenerationConfig { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class GeminiContent
{
    /// <summary><c>user</c> or <c>model</c>; absent on <c>systemInstruction</c>.</summary>
    public string? Role { get; set; }

    public List<GeminiPart>? Parts { get; set; }
}

/// <summary>One part: exactly one of text, inline data, file data, function call or function response, plus flags.</summary>
internal sealed class GeminiPart
{
    public string? Text { get; set; }

    /// <summary><see langword="true"/> on thought summaries.</summary>
    public bool? Thought { get; set; }

    /// <summary>Opaque signature that must go back on the same part in the next request (Gemini 3 enforces it on function calls).</summary>
    public string? ThoughtSignature { get; set; }

    public GeminiBlob? InlineData { get; set; }

    public GeminiFileData? FileData { get; set; }

    public GeminiFunctionCall? FunctionCall { get; set; }

    public GeminiFunctionResponse? FunctionResponse { get; set; }
}

internal sealed class GeminiBlob
{
    public string? MimeType { get; set; }

    /// <summary>Base64.</summary>
    public string? Data { get; set; }
}

internal sealed class GeminiFileData
{
    public string? MimeType { get; set; }

    public string? FileUri { get; set; }
}

internal sealed class GeminiFunctionCall
{
    /// <summary>Sent by the API only sometimes; echoed back only when it was.</summary>
    public string? Id { get; set; }

    public string? Name { get; set; }

    /// <summary>The arguments object (Undefined when the model sent none).</summary>
    public JsonElement Args { get; set; }
}

internal sealed class GeminiFunctionResponse
{
    public string? Id { get; set; }

    public required string Name { get; set; }

    public required GeminiFunctionResult Response { get; set; }
}

/// <summary>The <c>response</c> object of a function response: it must be an object, so the result is wrapped.</summary>
internal sealed class GeminiFunctionResult
{
    public required string Name { get; set; }

    public JsonElement Content { get; set; }
}

/// <summary>One tool entry: function declarations, or grounding with Google Search (<c>{"googleSearch": {}}</c>).</summary>
internal sealed class GeminiTool
{
    public List<GeminiFunctionDeclaration>? FunctionDeclarations { get; set; }

    public GeminiGoogleSearch? GoogleSearch { get; set; }
}

/// <summary>The <c>googleSearch</c> tool; it has no settings Allos sends, so it is written as <c>{}</c>.</summary>
internal sealed class GeminiGoogleSearch;

internal sealed class GeminiFunctionDeclaration
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The cleaned schema; omitted for a function without parameters (Gemini rejects an empty object schema).</summary>
    public JsonElement? Parameters { get; set; }
}

internal sealed class GeminiToolConfig
{
    public required GeminiFunctionCallingConfig FunctionCallingConfig { get; set; }
}

internal sealed class GeminiFunctionCallingConfig
{
    /// <summary><c>AUTO</c>, <c>ANY</c> or <c>NONE</c>.</summary>
    public required string Mode { get; set; }

    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GeminiGenerationConfig
{
    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public int? MaxOutputTokens { get; set; }

    public IList<string>? StopSequences { get; set; }

    public long? Seed { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    public string? ResponseMimeType { get; set; }

    public JsonElement? ResponseSchema { get; set; }

    public GeminiThinkingConfig? ThinkingConfig { get; set; }
}

internal sealed class GeminiThinkingConfig
{
    public bool? IncludeThoughts { get; set; }

    public int? ThinkingBudget { get; set; }
}
