using System.Text.Json;

namespace Allos.Tools;

/// <summary>What a tool's per-call approval check (<see cref="Tool.WithApprovalCheck"/>) knows about the call.</summary>
public sealed class ToolApprovalContext
{
    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the arguments the model sent, as a JSON object (not yet validated against the schema).</summary>
    public required JsonElement Arguments { get; init; }

    /// <summary>Gets the workspace the call's paths resolve in.</summary>
    public required Workspace Workspace { get; init; }
}
