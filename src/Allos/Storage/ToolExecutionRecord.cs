namespace Allos.Storage;

/// <summary>One tool execution.</summary>
public sealed record ToolExecutionRecord
{
    /// <summary>Gets when the execution started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the session, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the run, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the tool call id.</summary>
    public string? CallId { get; init; }

    /// <summary>Gets how long the execution took, in milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Gets the outcome: <c>ok</c>, <c>error</c>, <c>denied</c>, <c>timeout</c>, ...</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Gets the error message of a failed execution.</summary>
    public string? Error { get; init; }
}
