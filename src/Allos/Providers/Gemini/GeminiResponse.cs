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

    /// <summary>What grounding with Google Search found and which spans of the answer each page supports.</summary>
    public GeminiGroundingMetadata? GroundingMetadata { get; set; }
}

internal sealed class GeminiGroundingMetadata
{
    public List<string>? WebSearchQueries { get; set; }

    public List<GeminiGroundingChunk>? GroundingChunks { get; set; }

    public List<GeminiGroundingSupport>? GroundingSupports { get; set; }
}

internal sealed class GeminiGroundingChunk
{
    public GeminiWebChunk? Web { get; set; }
}

internal sealed class GeminiWebChunk
{
    public string? Uri { get; set; }

    public string? Title { get; set; }
}

internal sealed class GeminiGroundingSupport
{
    public GeminiSegment? Segment { get; set; }

    public List<int>? GroundingChunkIndices { get; set; }
}

/// <summary>A span of one part's text; <c>startIndex</c> and <c>endIndex</c> count UTF-8 bytes, not characters.</summary>
internal sealed class GeminiSegment
{
    public int? PartIndex { get; set; }

    public int? StartIndex { get; set; }

    public int? EndIndex { get; set; }

    public string? Text { get; set; }
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
