using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>Maps <c>/api/chat</c> responses (whole, or one NDJSON line of a stream) to Microsoft.Extensions.AI types.</summary>
internal static class OllamaResponseParser
{
    /// <summary>The key of the response's total duration, in nanoseconds, in <see cref="ChatResponse.AdditionalProperties"/>.</summary>
    public const string TotalDurationKey = "ollama.total_duration_ns";

    public const string LoadDurationKey = "ollama.load_duration_ns";

    public const string PromptEvalDurationKey = "ollama.prompt_eval_duration_ns";

    public const string EvalDurationKey = "ollama.eval_duration_ns";

    public static ChatResponse ToChatResponse(OllamaResponse response, string provider)
    {
        if (IsError(response))
        {
            throw OllamaErrorParser.FromStreamLine(response).ToException(provider, null, null, null);
        }

        if (response.Message is null)
        {
            throw Http.ProviderTransport.NotAResponse(provider, "\"message\"");
        }

        int calls = 0;
        var message = new ChatMessage(ChatRole.Assistant, AddContents(null, response.Message, ref calls) ?? []);
        return new ChatResponse(message)
        {
            ModelId = response.Model,
            CreatedAt = ParseTime(response.CreatedAt),
            FinishReason = MapFinishReason(response.DoneReason, hadToolCalls: calls > 0),
            Usage = MapUsage(response),
            AdditionalProperties = Durations(response),
            RawRepresentation = response,
        };
    }

    /// <summary>Whether a body or line is <c>{"error":…}</c>.</summary>
    public static bool IsError(OllamaResponse response) => response.Error.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    /// <summary>
    /// Adds the thinking, text and tool calls of a message (or message delta) to <paramref name="contents"/>, creating it when
    /// needed. <paramref name="callCount"/> counts the calls of the whole response, so generated ids stay unique across lines.
    /// </summary>
    public static List<AIContent>? AddContents(List<AIContent>? contents, OllamaResponseMessage? message, ref int callCount)
    {
        if (message is null)
        {
            return contents;
        }

        if (message.Thinking is { Length: > 0 } thinking)
        {
            (contents ??= []).Add(new TextReasoningContent(thinking));
        }

        if (message.Content is { Length: > 0 } text)
        {
            (contents ??= []).Add(new TextContent(text));
        }

        foreach (OllamaToolCall call in message.ToolCalls ?? [])
        {
            // Older servers send no id; the call still needs one to pair with its result.
            string id = string.IsNullOrEmpty(call.Id) ? WireContent.NewCallId() : call.Id;
            (contents ??= []).Add(WireContent.CallFromElement(id, call.Function?.Name ?? "", call.Function?.Arguments ?? default));
            callCount++;
        }

        return contents;
    }

    /// <summary>Maps <c>done_reason</c>; Ollama reports a tool call as <c>stop</c>, and older servers send no reason at all.</summary>
    public static ChatFinishReason MapFinishReason(string? reason, bool hadToolCalls) => reason switch
    {
        null or "" or "stop" => hadToolCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        _ => new ChatFinishReason(reason), // "load", "unload" (model management) and anything newer
    };

    /// <summary>The counters, or <see langword="null"/> when the server sent neither (they are <c>omitempty</c> in Go).</summary>
    public static UsageDetails? MapUsage(OllamaResponse response)
    {
        if (response.PromptEvalCount is null && response.EvalCount is null)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokenCount = response.PromptEvalCount,
            OutputTokenCount = response.EvalCount,
            TotalTokenCount = response.PromptEvalCount + response.EvalCount,
        };
    }

    /// <summary>The server's timings, in nanoseconds as sent; Microsoft.Extensions.AI has no field for them.</summary>
    public static AdditionalPropertiesDictionary? Durations(OllamaResponse response)
    {
        AdditionalPropertiesDictionary? properties = null;
        Add(TotalDurationKey, response.TotalDuration);
        Add(LoadDurationKey, response.LoadDuration);
        Add(PromptEvalDurationKey, response.PromptEvalDuration);
        Add(EvalDurationKey, response.EvalDuration);
        return properties;

        void Add(string key, long? value)
        {
            if (value is long nanoseconds)
            {
                (properties ??= new AdditionalPropertiesDictionary())[key] = nanoseconds;
            }
        }
    }

    /// <summary>How timestamps are read: without an offset, UTC.</summary>
    public const DateTimeStyles TimeStyles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    /// <summary>Parses Go's RFC 3339 timestamps; an unreadable one is dropped rather than failing the whole response.</summary>
    /// <remarks>The strict form is read as <see cref="Rfc3339"/> reads it, so a whole answer and a stream agree to the tick.</remarks>
    public static DateTimeOffset? ParseTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[64];
        if (value.Length <= 64 && System.Text.Encoding.UTF8.TryGetBytes(value, utf8, out int length) && Rfc3339.TryParse(utf8[..length], out DateTimeOffset fast))
        {
            return fast;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, TimeStyles, out DateTimeOffset parsed) ? parsed : null;
    }
}
