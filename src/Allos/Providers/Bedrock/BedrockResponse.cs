using System.Text.Json;

namespace Allos.Providers.Bedrock;

// Response DTOs: a whole Converse response and the payloads of ConverseStream's events. Unknown fields are ignored.

internal sealed class BedrockResponse
{
    public BedrockOutput? Output { get; set; }

    /// <summary><c>end_turn</c>, <c>tool_use</c>, <c>max_tokens</c>, <c>stop_sequence</c>, <c>guardrail_intervened</c>, <c>content_filtered</c>.</summary>
    public string? StopReason { get; set; }

    public BedrockUsage? Usage { get; set; }

    public BedrockMetrics? Metrics { get; set; }
}

internal sealed class BedrockOutput
{
    public BedrockResponseMessage? Message { get; set; }
}

internal sealed class BedrockResponseMessage
{
    public string? Role { get; set; }

    public List<BedrockContentBlock>? Content { get; set; }
}

/// <summary>A content block: exactly one member is set.</summary>
internal sealed class BedrockContentBlock
{
    public string? Text { get; set; }

    public BedrockToolUse? ToolUse { get; set; }

    public BedrockReasoningContent? ReasoningContent { get; set; }
}

internal sealed class BedrockToolUse
{
    public string? ToolUseId { get; set; }

    public string? Name { get; set; }

    /// <summary>The arguments: an object in a whole response; streamed deltas carry it as JSON text instead.</summary>
    public JsonElement Input { get; set; }
}

internal sealed class BedrockReasoningContent
{
    public BedrockReasoningText? ReasoningText { get; set; }

    /// <summary>Reasoning the provider encrypted (base64), sent back as it came.</summary>
    public string? RedactedContent { get; set; }
}

internal sealed class BedrockReasoningText
{
    public string? Text { get; set; }

    public string? Signature { get; set; }
}

internal sealed class BedrockUsage
{
    /// <summary>Input tokens not read from or written to the prompt cache.</summary>
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? TotalTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }

    public long? CacheWriteInputTokens { get; set; }
}

internal sealed class BedrockMetrics
{
    public long? LatencyMs { get; set; }
}

/// <summary>The payload of any ConverseStream event; which members are set depends on the event type.</summary>
internal sealed class BedrockStreamEvent
{
    public string? Role { get; set; }

    public int? ContentBlockIndex { get; set; }

    public BedrockBlockStart? Start { get; set; }

    public BedrockBlockDelta? Delta { get; set; }

    public string? StopReason { get; set; }

    public BedrockUsage? Usage { get; set; }

    public BedrockMetrics? Metrics { get; set; }

    /// <summary>An exception message's text.</summary>
    public string? Message { get; set; }
}

internal sealed class BedrockBlockStart
{
    public BedrockToolUse? ToolUse { get; set; }
}

internal sealed class BedrockBlockDelta
{
    public string? Text { get; set; }

    public BedrockToolInputDelta? ToolUse { get; set; }

    public BedrockReasoningDelta? ReasoningContent { get; set; }
}

internal sealed class BedrockToolInputDelta
{
    /// <summary>A fragment of the arguments' JSON text.</summary>
    public string? Input { get; set; }
}

internal sealed class BedrockReasoningDelta
{
    public string? Text { get; set; }

    public string? Signature { get; set; }

    public string? RedactedContent { get; set; }
}
