namespace Allos.Storage;

/// <summary>One recorded step of a run: the trace, ready to be stored or shown.</summary>
/// <param name="Time">When the step started.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Agent">The agent acting.</param>
/// <param name="Model">The model, for model calls.</param>
/// <param name="ToolName">The tool (or handoff target), for tool, approval and handoff steps.</param>
/// <param name="CallId">The tool call id.</param>
/// <param name="Input">The input: tool arguments as JSON, or a handoff reason (truncated).</param>
/// <param name="Output">The output: answer text or tool result (truncated).</param>
/// <param name="Status"><c>ok</c>, <c>error</c>, <c>denied</c>, <c>approved</c>, or the finish reason.</param>
/// <param name="InputTokens">Input tokens of a model call.</param>
/// <param name="OutputTokens">Output tokens of a model call.</param>
/// <param name="CachedInputTokens">Cached input tokens of a model call.</param>
/// <param name="ReasoningTokens">Reasoning tokens of a model call.</param>
/// <param name="LatencyMs">How long the step took, in milliseconds.</param>
public sealed record RunStep(
    DateTimeOffset Time,
    RunStepKind Kind,
    string Agent,
    string? Model = null,
    string? ToolName = null,
    string? CallId = null,
    string? Input = null,
    string? Output = null,
    string? Status = null,
    long? InputTokens = null,
    long? OutputTokens = null,
    long? CachedInputTokens = null,
    long? ReasoningTokens = null,
    double LatencyMs = 0);
