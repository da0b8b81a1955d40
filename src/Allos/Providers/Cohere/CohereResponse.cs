using System.Text.Json;

namespace Allos.Providers.Cohere;

// Response DTOs: a whole chat response, the streamed events, citations. Unknown fields are ignored.

internal sealed class CohereResponse
{
    public string? Id { get; set; }

    /// <summary><c>COMPLETE</c>, <c>STOP_SEQUENCE</c>, <c>MAX_TOKENS</c>, <c>TOOL_CALL</c>, <c>ERROR</c> or <c>TIMEOUT</c>.</summary>
    public string? FinishReason { get; set; }

    /// <summary>The answer; an object here (an error body's <c>message</c> is a string and is read by the error parser).</summary>
    public CohereResponseMessage? Message { get; set; }

    public CohereUsage? Usage { get; set; }
}

internal sealed class CohereResponseMessage
{
    public string? Role { get; set; }

    public List<CohereResponseContent>? Content { get; set; }

    public string? ToolPlan { get; set; }

    public List<CohereToolCall>? ToolCalls { get; set; }

    public List<CohereCitation>? Citations { get; set; }
}

/// <summary>A content block: <c>text</c>, or a reasoning model's <c>thinking</c>.</summary>
internal sealed class CohereResponseContent
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Thinking { get; set; }
}

internal sealed class CohereToolCall
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public CohereFunctionCall? Function { get; set; }
}

internal sealed class CohereFunctionCall
{
    public string? Name { get; set; }

    /// <summary>The arguments as a JSON text.</summary>
    public string? Arguments { get; set; }
}

/// <summary>A span of the answer grounded in documents or tool results.</summary>
internal sealed class CohereCitation
{
    public int? Start { get; set; }

    public int? End { get; set; }

    public string? Text { get; set; }

    public List<CohereSource>? Sources { get; set; }

    /// <summary><c>TEXT_CONTENT</c>, <c>THINKING_CONTENT</c> or <c>PLAN</c>.</summary>
    public string? Type { get; set; }
}

/// <summary>A citation's source: <c>tool</c> (with <c>tool_output</c>) or <c>document</c> (with <c>document</c>).</summary>
internal sealed class CohereSource
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public JsonElement ToolOutput { get; set; }

    public JsonElement Document { get; set; }
}

/// <summary>
/// Billed units are what Cohere charges for; tokens are what the model read and wrote (the prompt template and tool
/// declarations included).
/// </summary>
internal sealed class CohereUsage
{
    public CohereTokenCounts? BilledUnits { get; set; }

    public CohereTokenCounts? Tokens { get; set; }
}

internal sealed class CohereTokenCounts
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }
}

/// <summary>One SSE event of a streamed chat; dispatched on <see cref="Type"/>.</summary>
internal sealed class CohereStreamEvent
{
    public string? Type { get; set; }

    /// <summary>The response id, on <c>message-start</c>.</summary>
    public string? Id { get; set; }

    public int? Index { get; set; }

    public CohereStreamDelta? Delta { get; set; }
}

internal sealed class CohereStreamDelta
{
    public CohereStreamMessage? Message { get; set; }

    public string? FinishReason { get; set; }

    public CohereUsage? Usage { get; set; }

    /// <summary>What went wrong, when <see cref="FinishReason"/> is <c>ERROR</c> (sent by some deployments).</summary>
    public string? Error { get; set; }
}

/// <summary>
/// The <c>delta.message</c> of an event. Its fields change shape with the event: <c>content</c>, <c>tool_calls</c> and
/// <c>citations</c> are arrays on <c>message-start</c> and single objects on the events that carry one piece.
/// </summary>
internal sealed class CohereStreamMessage
{
    public JsonElement Content { get; set; }

    public string? ToolPlan { get; set; }

    public JsonElement ToolCalls { get; set; }

    public JsonElement Citations { get; set; }
}
