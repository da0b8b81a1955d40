using System.Text.Json;

namespace Allos.Providers.Ollama;

// Response DTOs: one shape serves the whole /api/chat body and each NDJSON line of a stream, and the error line.

internal sealed class OllamaResponse
{
    public string? Model { get; set; }

    /// <summary>RFC 3339 with up to nine fractional digits (Go's time format); read leniently, see <see cref="OllamaResponseParser.ParseTime"/>.</summary>
    public string? CreatedAt { get; set; }

    public OllamaResponseMessage? Message { get; set; }

    public bool Done { get; set; }

    public string? DoneReason { get; set; }

    public long? TotalDuration { get; set; }

    public long? LoadDuration { get; set; }

    public long? PromptEvalCount { get; set; }

    public long? PromptEvalDuration { get; set; }

    public long? EvalCount { get; set; }

    public long? EvalDuration { get; set; }

    /// <summary>A string (<c>{"error":"…"}</c>) in Ollama's errors; kept as an element to tolerate proxies that send an object.</summary>
    public JsonElement Error { get; set; }

    /// <summary>The HTTP status newer servers add to an error line inside a stream.</summary>
    public int? Status { get; set; }
}

internal sealed class OllamaResponseMessage
{
    public string? Role { get; set; }

    public string? Content { get; set; }

    public string? Thinking { get; set; }

    public List<OllamaToolCall>? ToolCalls { get; set; }
}
