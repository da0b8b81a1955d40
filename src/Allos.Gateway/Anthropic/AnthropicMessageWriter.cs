using System.Text.Encodings.Web;
using System.Text.Json;
using Allos.Providers;
using Allos.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>Writes a <see cref="ChatResponse"/> as Anthropic's <c>message</c> object, and the parts a stream shares with it (id, stop reason, usage).</summary>
internal static class AnthropicMessageWriter
{
    /// <summary>
    /// Writer options of every Anthropic body: text is escaped only where JSON requires it (as Anthropic writes it), so a
    /// signature's <c>+</c> or a quote's apostrophe reach the caller as the same bytes. The bodies are JSON, never HTML.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the whole <c>message</c> for <paramref name="response"/>; <paramref name="model"/> is the model the caller asked for.</summary>
    public static void Write(Utf8JsonWriter json, ChatResponse response, string model)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, MessageId(response.ResponseId));
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("model"u8, model);
        json.WriteStartArray("content"u8);
        bool calls = false;
        IList<ChatMessage> messages = response.Messages;
        for (int m = 0; m < messages.Count; m++)
        {
            IList<AIContent> contents = messages[m].Contents;
            for (int i = 0; i < contents.Count; i++)
            {
                calls |= WriteBlock(json, contents[i]);
            }
        }

        json.WriteEndArray();
        WriteStop(json, response.FinishReason, response.AdditionalProperties, calls);
        WriteUsage(json, response.Usage);
        json.WriteEndObject();
    }

    /// <summary>The upstream's id when it is already Anthropic's (<c>msg_…</c>), else a new one of that form.</summary>
    public static string MessageId(string? upstream) =>
        upstream is not null && upstream.StartsWith("msg_", StringComparison.Ordinal) ? upstream : "msg_" + WireContent.NewCallId();

    /// <summary>Writes <c>stop_reason</c> and <c>stop_sequence</c>.</summary>
    public static void WriteStop(Utf8JsonWriter json, ChatFinishReason? finish, AdditionalPropertiesDictionary? properties, bool calls)
    {
        string? raw = properties?.TryGetValue(AnthropicResponseParser.StopReasonKey, out object? value) == true ? value as string : null;
        string? sequence = properties?.TryGetValue(AnthropicProperties.StopSequenceKey, out object? stop) == true ? stop as string : null;
        string reason = raw ?? (finish == ChatFinishReason.Length ? "max_tokens"
            : finish == ChatFinishReason.ToolCalls || calls ? "tool_use"
            : finish == ChatFinishReason.ContentFilter ? "refusal"
            : "end_turn");
        json.WriteString("stop_reason"u8, reason);
        if (reason == "stop_sequence" && sequence is not null)
        {
            json.WriteString("stop_sequence"u8, sequence);
        }
        else
        {
            json.WriteNull("stop_sequence"u8);
        }
    }

    /// <summary>
    /// Writes <c>usage</c>. The library counts cache reads and writes inside the input; Anthropic reports
    /// <c>input_tokens</c> without them, beside <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c>.
    /// </summary>
    public static void WriteUsage(Utf8JsonWriter json, UsageDetails? usage)
    {
        long input = usage?.InputTokenCount ?? 0;
        long cacheRead = usage?.CachedInputTokenCount ?? 0;
        long cacheWrite = usage?.AdditionalCounts?.TryGetValue("CacheWriteInputTokenCount", out long written) == true ? written : 0;
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, Math.Max(0, input - cacheRead - cacheWrite));
        json.WriteNumber("cache_creation_input_tokens"u8, cacheWrite);
        json.WriteNumber("cache_read_input_tokens"u8, cacheRead);
        json.WriteNumber("output_tokens"u8, usage?.OutputTokenCount ?? 0);
        json.WriteEndObject();
    }

    /// <summary>Whether <paramref name="reasoning"/> is a <c>redacted_thinking</c> block (its data in <see cref="TextReasoningContent.ProtectedData"/>).</summary>
    public static bool IsRedacted(TextReasoningContent reasoning) =>
        reasoning.ProtectedData is not null
        && reasoning.AdditionalProperties?.TryGetValue(AnthropicRequestBuilder.RedactedThinkingKey, out object? flag) == true
        && flag is true;

    /// <summary>Writes one content block; returns whether it was a tool call.</summary>
    private static bool WriteBlock(Utf8JsonWriter json, AIContent content)
    {
        switch (content)
        {
            case TextContent { Text.Length: > 0 } text:
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, text.Text);
                json.WriteEndObject();
                return false;
            case TextReasoningContent reasoning when IsRedacted(reasoning):
                json.WriteStartObject();
                json.WriteString("type"u8, "redacted_thinking"u8);
                json.WriteString("data"u8, reasoning.ProtectedData);
                json.WriteEndObject();
                return false;
            case TextReasoningContent reasoning when !string.IsNullOrEmpty(reasoning.Text) || reasoning.ProtectedData is not null:
                json.WriteStartObject();
                json.WriteString("type"u8, "thinking"u8);
                json.WriteString("thinking"u8, reasoning.Text ?? "");
                json.WriteString("signature"u8, reasoning.ProtectedData ?? "");
                json.WriteEndObject();
                return false;
            case FunctionCallContent call:
                json.WriteStartObject();
                json.WriteString("type"u8, "tool_use"u8);
                json.WriteString("id"u8, call.CallId);
                json.WriteString("name"u8, call.Name);
                json.WritePropertyName("input"u8);
                WireContent.ArgumentsToElement(call.Arguments).WriteTo(json);
                json.WriteEndObject();
                return true;
            default:
                return false; // usage travels in "usage"; other content has no Anthropic block
        }
    }
}
