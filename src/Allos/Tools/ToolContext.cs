namespace Allos.Tools;

/// <summary>What a tool handler knows about the call it is serving.</summary>
public sealed class ToolContext
{
    /// <summary>Gets the call id the model gave.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the workspace every path argument must stay inside.</summary>
    public required Workspace Workspace { get; init; }

    /// <summary>Gets the name of the agent that made the call, when an agent did.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the run variables (<c>RunOptions.Variables</c>, <c>--var k=v</c>); empty outside a run or when none were given.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>();

    /// <summary>Gets the id of the session the call belongs to, when the run has one.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the user the run is for (the budget user key), when the run names one.</summary>
    public string? User { get; init; }

    /// <summary>Gets the services of the host, when it has any.</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>
    /// Gets where a long call reports how far it has got (a run turns each report into a <c>ToolCallProgressEvent</c>), or
    /// <see langword="null"/> when nobody listens. Reports may come from another thread.
    /// </summary>
    public IProgress<ToolProgress>? Progress { get; init; }
}
