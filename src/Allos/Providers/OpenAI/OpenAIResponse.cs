using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers.OpenAI;

// Response DTOs: one shape serves chat.completion and chat.completion.chunk, and the compatible servers' variants.

internal sealed class OpenAIResponse
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public long? Created { get; set; }

    public string? Model { get; set; }

    public List<OpenAIChoice>? Choices { get; set; }

    public OpenAIUsage? Usage { get; set; }

    /// <summary>Groq repeats usage here on the final chunk.</summary>
    [JsonPropertyName("x_groq")]
    public OpenAIGroqExtension? XGroq { get; set; }

    /// <summary>An error object inside a stream, or (vLLM, Mistral) the whole body.</summary>
    public JsonElement Error { get; set; }

    /// <summary>Set when the body itself is an error (<c>{"object":"error","message":…}</c>).</summary>
    public string? Message { get; set; }

    public JsonElement Type { get; set; }

    public JsonElement Code { get; set; }
}

internal sealed class OpenAIChoice
{
    public int Index { get; set; }

    public OpenAIResponseMessage? Message { get; set; }

    public OpenAIResponseMessage? Delta { get; set; }

    public string? FinishReason { get; set; }
}

internal sealed class OpenAIResponseMessage
{
    public string? Role { get; set; }

    /// <summary>A string, null, or (Mistral reasoning models) an array of typed parts.</summary>
    public OpenAIText Content { get; set; }

    public string? Refusal { get; set; }

    public string? ReasoningContent { get; set; }

    public string? Reasoning { get; set; }

    public List<OpenAIToolCall>? ToolCalls { get; set; }

    /// <summary>The pages a search model cites (<c>url_citation</c>), with character offsets into <see cref="Content"/>.</summary>
    public List<OpenAIAnnotation>? Annotations { get; set; }
}

internal sealed class OpenAIAnnotation
{
    public string? Type { get; set; }

    public OpenAIUrlCitation? UrlCitation { get; set; }
}

internal sealed class OpenAIUrlCitation
{
    public int? StartIndex { get; set; }

    public int? EndIndex { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }
}

internal sealed class OpenAIToolCall
{
    public int? Index { get; set; }

    public string? Id { get; set; }

    public string? Type { get; set; }

    public OpenAIFunctionCall? Function { get; set; }
}

internal sealed class OpenAIFunctionCall
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

internal sealed class OpenAIUsage
{
    public long? PromptTokens { get; set; }

    public long? CompletionTokens { get; set; }

    public long? TotalTokens { get; set; }

    public OpenAIPromptTokensDetails? PromptTokensDetails { get; set; }

    public OpenAICompletionTokensDetails? CompletionTokensDetails { get; set; }

    /// <summary>DeepSeek's name for cached input tokens.</summary>
    public long? PromptCacheHitTokens { get; set; }
}

internal sealed class OpenAIPromptTokensDetails
{
    public long? CachedTokens { get; set; }
}

internal sealed class OpenAICompletionTokensDetails
{
    public long? ReasoningTokens { get; set; }
}

internal sealed class OpenAIGroqExtension
{
    public OpenAIUsage? Usage { get; set; }
}
