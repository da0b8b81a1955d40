using Allos.Tools;

namespace Allos.Agents;

/// <summary>Settings for one run, over the agent's and the runner's.</summary>
public sealed class RunOptions
{
    /// <summary>Gets or sets the autonomy for this run (over the agent's).</summary>
    public AutonomyLevel? Autonomy { get; set; }

    /// <summary>Gets permission overrides by tool name for this run (over the agent's and the tool's).</summary>
    public IDictionary<string, ToolPermission> ToolPermissions { get; init; } = new Dictionary<string, ToolPermission>(StringComparer.Ordinal);
}
