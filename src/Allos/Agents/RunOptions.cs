using Allos.Memory;
using Allos.Tools;

namespace Allos.Agents;

/// <summary>Settings for one run, over the agent's and the runner's.</summary>
public sealed class RunOptions
{
    /// <summary>Gets or sets the autonomy for this run (over the agent's).</summary>
    public AutonomyLevel? Autonomy { get; set; }

    /// <summary>Gets permission overrides by tool name for this run (over the agent's and the tool's).</summary>
    public IDictionary<string, ToolPermission> ToolPermissions { get; init; } = new Dictionary<string, ToolPermission>(StringComparer.Ordinal);

    /// <summary>
    /// Gets the run variables (<c>--var k=v</c>): they fill <c>{{name}}</c> in the agent's instructions and reach every
    /// tool call through <see cref="ToolContext.Variables"/>.
    /// </summary>
    public IDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the id of the session the run belongs to: every model call is tagged with it (session budgets, the
    /// telemetry store) and tools see it in <see cref="ToolContext.SessionId"/>. Default: <see langword="null"/>.
    /// </summary>
    public string? SessionId { get; set; }

    /// <summary>
    /// Gets or sets the user the run is for: every model call is tagged with it as the user key (user budgets, the
    /// telemetry store) and tools see it in <see cref="ToolContext.User"/>. Default: <see langword="null"/>.
    /// </summary>
    /// <remarks>An identifier, stored in plain text with each call: never a secret.</remarks>
    public string? User { get; set; }

    /// <summary>Gets or sets the memory mode of this run, overriding the entry agent's <see cref="AgentDefinition.Memory"/>.</summary>
    public MemoryMode? Memory { get; set; }
}
