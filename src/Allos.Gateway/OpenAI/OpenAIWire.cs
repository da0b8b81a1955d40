using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>The pieces the whole response and the stream's chunks share: ids, finish reasons, usage.</summary>
internal static class OpenAIWire
{
    /// <summary>Writer options: non-ASCII text goes out as UTF-8, as OpenAI sends it, not as <c>\uXXXX</c> escapes.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The completion id: the upstream's when it already is a <c>chatcmpl-</c> id, else one made from it (or a new one).</summary>
    public static string CompletionId(string? upstreamId) => upstreamId switch
    {
        { Length: > 0 } id when id.StartsWith("chatcmpl-", StringComparison.Ordinal) => id,
        { Length: > 0 } id => "chatcmpl-" + id,
        _ => "chatcmpl-" + Guid.NewGuid().ToString("N"),
    };

    public static long Created(DateTimeOffset? createdAt) => (createdAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();

    public static string FinishReason(ChatFinishReason? reason, bool calledTools)
    {
        if (reason == ChatFinishReason.Length)
        {
            return "length";
        }

        if (reason == ChatFinishReason.ContentFilter)
        {
            return "content_filter";
        }

        return reason == ChatFinishReason.ToolCalls || calledTools ? "tool_calls" : "stop";
    }

    /// <summary>Writes <c>"usage":{…}</c> with OpenAI's detail objects (cached and reasoning tokens are 0 when unknown, as OpenAI sends them).</summary>
    public static void WriteUsage(Utf8JsonWriter json, UsageDetails? usage)
    {
        long input = usage?.InputTokenCount ?? 0;
        long output = usage?.OutputTokenCount ?? 0;
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", input);
        json.WriteNumber("completion_tokens", output);
        json.WriteNumber("total_tokens", usage?.TotalTokenCount ?? input + output);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage?.CachedInputTokenCount ?? 0);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", usage?.ReasoningTokenCount ?? 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
