using System.Text.Json;

namespace Allos.Providers.Gemini;

// Response DTOs: one GenerateContentResponse shape serves whole bodies and stream chunks.

internal sealed class GeminiResponse
{
    public List<GeminiCandidate>? Candidates { get; set; }

    public GeminiPromptFeedback? PromptFeedback { get; set; }

    public GeminiUsageMetadata? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    public string? CreateTime { get; set; }

    /// <summary>A google.rpc.Status sent as a stream chunk instead of a response.</summary>
    public JsonElement Error { get; set; }
}

internal sealed class GeminiCandidate
{
    public GeminiContent? Content { get; set; }

    public string? FinishReason { get; set; }

    public string? FinishMessage { get; set; }

    public int? Index { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    public string? BlockReason { get; set; }

    public string? BlockReasonMessage { get; set; }
}

internal sealed class GeminiUsageMetadata
{
    public long? PromptTokenCount { get; set; }

    /// <summary>Excludes thoughts.</summary>
    public long? CandidatesTokenCount { get; set; }

    public long? TotalTokenCount { get; set; }

    public long? CachedContentTokenCount { get; set; }

    public long? ThoughtsTokenCount { get; set; }

    public long? ToolUsePromptTokenCount { get; set; }
}
